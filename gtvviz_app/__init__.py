"""Streamlit helpers of the gtvviz app: per-session state, the shared sidebar, URL sync, loading and downloads.

Unlike :mod:`gtvviz`, this package imports streamlit. It holds no model math: it only calls into gtvviz.
"""
