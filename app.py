"""The app's entry point in a checkout: ``streamlit run app.py``. The app itself is the package
:mod:`gtvviz_app` (installed with ``pip install gtvviz[app]`` and started with ``gtvviz app`` from any folder)."""

from gtvviz_app.main import main

main()
