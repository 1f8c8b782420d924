// gtvviz TrainingWidget and CompareWidget (anywidget): the transport bar, epoch counter, loss curves and metrics
// around the live graph (one per method for CompareWidget).
// This text follows live_graph.js's in the widget's ES module (gtvviz/widgets/training.py: widget_module), so
// mountLiveGraph is the app's drawing function itself. The kernel sends the geometry (_geometry) and one frame per
// shown state (_frame: colours, darkened edges, simplex places, epoch, metrics, playing); the counter, metrics and
// curves follow the epoch the graph has just drawn.

var BAR_MARKUP = `
<div class="gtvviz-bar">
  <button data-action="play">▶ Play</button><button data-action="pause">Pause</button>
  <button data-action="step" data-n="1">Step</button><button data-action="step" data-n="10">Step 10</button>
  <button data-action="reset">↺ Reset</button>
  <label>speed <input class="gtvviz-speed" type="number" min="1" max="50" step="1"> epochs/frame</label>
  <span class="gtvviz-counter" data-epoch="">epoch –</span>
  <span class="gtvviz-error"></span>
</div>`;
var WIDGET_MARKUP = BAR_MARKUP + `
<div class="gtvviz-graph"></div>
<div class="gtvviz-below"><canvas class="gtvviz-curves"></canvas><table class="gtvviz-metrics"></table></div>`;

var CURVE_COLORS = { total: "#222222", gtv: "#d62728", balance: "#1f77b4" };
var METRIC_NAMES = { total: "loss", gtv: "GTV term", balance: "balance term", sharpness: "sharpness",
                     nmi: "NMI", acc: "accuracy", modularity: "modularity", n_clusters_used: "clusters used" };

// plotly.js from the kernel (the plotly Python package's copy, sent once as text), evaluated once per page.
// A widget's view is often laid out after it is rendered (or resized with the notebook's panel), when plotly has
// already sized the plot for its default width: a window resize event (once per animation frame) makes plotly
// (responsive) and the simplex fit their panels again.
function fitOnResize(element) {
  var pending = false, last = null;
  var observer = new ResizeObserver(function (entries) {
    var width = Math.round(entries[entries.length - 1].contentRect.width);
    if (width === last || pending) { return; }
    last = width;
    pending = true;
    requestAnimationFrame(function () { pending = false; window.dispatchEvent(new Event("resize")); });
  });
  observer.observe(element);
  return function () { observer.disconnect(); };
}

function plotlyFrom(source) {
  if (!source) { return window.Plotly; }
  if (!globalThis.__gtvvizPlotly) {
    var module = { exports: {} };
    new Function("module", "exports", source)(module, module.exports);
    globalThis.__gtvvizPlotly = module.exports;
  }
  return globalThis.__gtvvizPlotly;
}

function paintCurves(canvas, curve, upTo) {
  var width = canvas.clientWidth, tall = canvas.clientHeight, ratio = window.devicePixelRatio || 1;
  if (!width || !tall) { return; }
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(tall * ratio);
  var g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, tall);
  var epochs = curve.epoch || [], count = 0;
  while (count < epochs.length && epochs[count] <= upTo) { count++; }
  var names = Object.keys(CURVE_COLORS).filter(function (name) { return curve[name]; });
  var left = 44, right = width - 8, top = 18, bottom = tall - 20, last = Math.max(upTo, 1), low = 0, high = 0;
  names.forEach(function (name) {
    for (var i = 0; i < count; i++) { var v = curve[name][i]; if (v !== null) { high = Math.max(high, v); low = Math.min(low, v); } }
  });
  high = high > low ? high : low + 1;
  var px = function (e) { return left + (right - left) * e / last; };
  var py = function (v) { return bottom - (bottom - top) * (v - low) / (high - low); };
  g.strokeStyle = "#cccccc";
  g.lineWidth = 1;
  g.beginPath(); g.moveTo(left, top); g.lineTo(left, bottom); g.lineTo(right, bottom); g.stroke();
  g.fillStyle = "#555555";
  g.font = "11px sans-serif";
  g.textAlign = "right";
  g.fillText(high.toFixed(2), left - 4, top + 4);
  g.fillText(low.toFixed(2), left - 4, bottom);
  g.textAlign = "center";
  g.fillText("epoch " + last, right - 24, bottom + 14);
  var x = left + 4;
  names.forEach(function (name) {
    var values = curve[name];
    g.strokeStyle = CURVE_COLORS[name];
    g.lineWidth = 1.5;
    g.beginPath();
    var started = false;
    for (var i = 0; i < count; i++) {
      if (values[i] === null) { started = false; continue; }
      if (started) { g.lineTo(px(epochs[i]), py(values[i])); } else { g.moveTo(px(epochs[i]), py(values[i])); started = true; }
    }
    g.stroke();
    g.fillStyle = CURVE_COLORS[name];
    g.textAlign = "left";
    g.fillText(METRIC_NAMES[name], x, 11);
    x += g.measureText(METRIC_NAMES[name]).width + 14;
  });
}

function metricRows(metrics) {
  return Object.keys(METRIC_NAMES).filter(function (name) { return metrics && name in metrics; }).map(function (name) {
    var value = metrics[name];
    var text = value === null ? "–" : name === "n_clusters_used" ? String(Math.round(value)) : value.toFixed(3);
    return "<tr><td>" + METRIC_NAMES[name] + "</td><td>" + text + "</td></tr>";
  }).join("");
}

// The transport bar: buttons send their action to the kernel, the speed box sets `speed`; returns its cleanup.
function wireBar(model, el) {
  var find = function (selector) { return el.querySelector(selector); };
  var speed = find(".gtvviz-speed"), errorBox = find(".gtvviz-error");
  function controls() {
    var playing = model.get("playing");
    find('[data-action="play"]').disabled = playing;
    find('[data-action="pause"]').disabled = !playing;
    speed.value = model.get("speed");
    errorBox.textContent = model.get("error");
  }
  el.querySelectorAll("button[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      model.send({ action: button.dataset.action, n: Number(button.dataset.n || 1) });
    });
  });
  speed.addEventListener("change", function () {
    var value = Math.max(1, Math.min(50, Math.round(Number(speed.value) || 1)));
    speed.value = value;
    model.set("speed", value);
    model.save_changes();
  });
  ["change:playing", "change:speed", "change:error"].forEach(function (name) { model.on(name, controls); });
  controls();
  return function () {
    ["change:playing", "change:speed", "change:error"].forEach(function (name) { model.off(name, controls); });
  };
}

// What every frame of the kernel's carries beside its own fields.
function renderArgs(model, frame) {
  return Object.assign({ geometry: model.get("_geometry"), geometry_key: model.get("_geometry_key"),
                         height: model.get("height"), playback_ms: model.get("_playback_ms"), max_queue: 8 }, frame);
}

function renderTraining(model, el) {
  el.innerHTML = WIDGET_MARKUP;
  var find = function (selector) { return el.querySelector(selector); };
  var counter = find(".gtvviz-counter"), curves = find(".gtvviz-curves"), table = find(".gtvviz-metrics");
  var metricsOf = new Map(), shownEpoch = null;

  // The counter, metrics and curves of the epoch the graph has just drawn.
  function drawn(epoch) {
    shownEpoch = epoch;
    counter.textContent = "epoch " + epoch + " / " + model.get("epochs");
    counter.dataset.epoch = String(epoch);
    table.innerHTML = metricRows(metricsOf.get(epoch));
    paintCurves(curves, model.get("_curve"), epoch);
  }
  var host = { Plotly: plotlyFrom(model.get("_plotly")), drawn: drawn, counter: false };  // the bar has the counter
  var live = mountLiveGraph(find(".gtvviz-graph"), host);
  el.gtvvizLiveGraph = live;

  function push() {
    var frame = model.get("_frame");
    if (!frame || frame.epoch === undefined) { return; }
    metricsOf.set(frame.epoch, frame.metrics);
    if (metricsOf.size > 400) { metricsOf.delete(metricsOf.keys().next().value); }
    live.receive(renderArgs(model, frame));
  }
  var unwire = wireBar(model, el), unfit = fitOnResize(find(".gtvviz-graph"));
  var resized = function () { if (shownEpoch !== null) { paintCurves(curves, model.get("_curve"), shownEpoch); } };
  window.addEventListener("resize", resized);
  model.on("change:_frame", push);
  push();
  return function () {
    unwire();
    unfit();
    window.removeEventListener("resize", resized);
    model.off("change:_frame", push);
  };
}

// CompareWidget: one live graph per method (two to a row), the same geometry, frames of one epoch; the counter
// follows the first panel's drawn epoch.
function renderCompare(model, el) {
  var methods = model.get("_methods");
  el.innerHTML = BAR_MARKUP + '<div class="gtvviz-compare">' + methods.map(function (method) {
    return '<div class="gtvviz-panel"><div class="gtvviz-panel-title"><b>' + method +
      '</b> <span class="gtvviz-panel-metrics"></span></div><div class="gtvviz-graph"></div></div>';
  }).join("") + "</div>";
  var counter = el.querySelector(".gtvviz-counter"), Plotly = plotlyFrom(model.get("_plotly"));
  var panels = Array.from(el.querySelectorAll(".gtvviz-panel")), metricsOf = methods.map(function () { return new Map(); });
  var lives = panels.map(function (panel, i) {
    var line = panel.querySelector(".gtvviz-panel-metrics");
    return mountLiveGraph(panel.querySelector(".gtvviz-graph"), { Plotly: Plotly, counter: false, drawn: function (epoch) {
      var m = metricsOf[i].get(epoch) || {};
      line.textContent = ["nmi", "sharpness", "total"].filter(function (name) { return m[name] !== undefined && m[name] !== null; })
        .map(function (name) { return METRIC_NAMES[name] + " " + m[name].toFixed(3); }).join("  ·  ");
      if (i === 0) {
        counter.textContent = "epoch " + epoch + " / " + model.get("epochs");
        counter.dataset.epoch = String(epoch);
      }
    } });
  });
  el.gtvvizLiveGraphs = lives;
  function push() {
    var frames = model.get("_frames");
    methods.forEach(function (method, i) {
      var frame = frames[method];
      if (!frame) { return; }
      metricsOf[i].set(frame.epoch, frame.metrics);
      if (metricsOf[i].size > 400) { metricsOf[i].delete(metricsOf[i].keys().next().value); }
      lives[i].receive(renderArgs(model, frame));
    });
  }
  var unwire = wireBar(model, el), unfit = fitOnResize(el.querySelector(".gtvviz-compare"));
  model.on("change:_frames", push);
  push();
  return function () { unwire(); unfit(); model.off("change:_frames", push); };
}

function render(context) {
  var model = context.model, el = context.el;
  el.classList.add("gtvviz-widget");
  return (model.get("_methods") || []).length ? renderCompare(model, el) : renderTraining(model, el);
}

export default { render: render };
