// gtvviz live graph: one plotly.js plot kept alive between frames, the frames painted on a canvas while playing, and
// the assignment simplex beside it. The one drawing source of the app's live graph (gtvviz_app/live_graph, a
// Streamlit component that loads this file) and of the notebook widget (gtvviz.widgets, whose ES module starts with
// this file's text). Payloads: gtvviz/viz/live_payload.py.
//
// mountLiveGraph(root, host) fills `root` with the view and returns its state object (also root.gtvvizLiveGraph),
// read by tests and benchmarks; `live.receive(args)` queues a render. host: { Plotly (plotly.js), setHeight(total)
// (the height the view needs, optional), drawn(epoch) (called after each draw, optional), report(value) (the answer
// to a hold, {hold, epoch}, optional), counter (false: the host shows the epoch itself; default true) }.

var STYLE = `
  .gtvviz-live { margin: 0; padding: 0; background: transparent; }
  .gtvviz-live #panels { display: flex; flex-direction: row; gap: 8px; }
  .gtvviz-live #wrap { position: relative; flex: 1 1 62%; min-width: 0; }
  .gtvviz-live #graph { width: 100%; }
  .gtvviz-live #playback { position: absolute; left: 0; top: 0; pointer-events: none; display: none; }
  .gtvviz-live #simplex-panel { flex: 0 0 34%; min-width: 0; overflow: hidden; position: relative;
    border-left: 1px solid #e4e4e4; }
  /* (out of the flow: a canvas sized for an earlier, wider panel must not keep the panel that wide) */
  .gtvviz-live #simplex { display: block; position: absolute; left: 0; top: 0; }
  .gtvviz-live #simplex-title { position: absolute; left: 8px; top: 2px; font: 13px sans-serif; color: #222; }
  .gtvviz-live #legend { padding: 2px 4px; }
  .gtvviz-live #counter { position: absolute; left: 6px; top: 4px; z-index: 2; pointer-events: none;
    font: bold 19px sans-serif; white-space: nowrap; color: #111; background: rgba(255, 255, 255, 0.85);
    padding: 1px 6px; border-radius: 4px; }
  .gtvviz-live #counter small { display: block; font-weight: normal; font-size: 14px; color: #333; }
  .gtvviz-live #error { font: 14px sans-serif; color: #b00020; white-space: pre-wrap; }
`;

var MARKUP = `<style>${STYLE}</style>
<div class="gtvviz-live">
<div id="legend"></div>
<div id="panels">
  <div id="wrap"><div id="graph"></div><canvas id="playback"></canvas><div id="counter"></div></div>
  <div id="simplex-panel"><canvas id="simplex"></canvas><div id="simplex-title"><b>assignment simplex</b>: undecided in
    the middle, sharp on the corners</div></div>
</div>
<div id="error"></div>
</div>`;

// Pixels kept free above the plot's data area for the epoch counter (two lines of text).
var COUNTER_ROOM = 48;

export function mountLiveGraph(root, host) {
  var Plotly = host.Plotly;
  root.innerHTML = MARKUP;
  var part = function (id) { return root.querySelector("#" + id); };
  var div = part("graph");
  var canvas = part("playback");
  var simplexCanvas = part("simplex");
  var legend = part("legend");
  // The toolbar keeps zoom, pan and reset only: short enough to stay clear of the epoch counter at the top left.
  var CONFIG = { displaylogo: false, responsive: true,
                 modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "toImage"] };
  // Read by tests and benchmarks: newPlots stays 1 while frames only update the plot.
  // drawn: the epochs drawn, oldest first (the last 200).
  // drawMs: milliseconds spent drawing, in all; received, dropped: frames received, and dropped from a full queue.
  // played: frames drawn on the playback canvas (while playing), a part of updates; lateMs, waits: how late the
  // playback timer fired in all, and how often it was set. held: the last hold token; counter: the counter's text.
  var live = root.gtvvizLiveGraph = { newPlots: 0, updates: 0, renders: 0, key: null, epoch: null, error: null,
                                        drawn: [], drawMs: 0, received: 0, dropped: 0, played: 0,
                                        lateMs: 0, waits: 0, held: 0, counter: "" };
  // shareTraces: the plot's traces of the edges darkened by their GTV share, level 1 first.
  var geometry = null, data = null, layout = null, nodeTrace = -1, shareTraces = [];
  // Frames waiting to be drawn, oldest first; while playing they are drawn playbackMs apart.
  var queue = [], busy = false, drawStart = 0, beat = -Infinity, timer = null, playbackMs = 100, height = 0;
  // While playing, frames are drawn on the playback canvas over the plot (nodes and darkened edges, which the plot then
  // hides): a plotly update of a WebGL plot costs 50 to 150 ms of the page's thread where software renders WebGL,
  // a canvas frame 1 to 5 ms. Pause, Step and replay draw with plotly again (hover and all).
  var shown = null, plotHidden = false, palette = null;

  function setHeight(value) {
    var total = value + legend.offsetHeight + 4;
    if (total === height) { return; }
    height = total;
    // An explicit height: with responsive: true plotly may size its container to 100% of the plot's div, which an
    // auto-height div resolves to 0 (the graph would vanish after a restyle).
    div.style.height = value + "px";
    part("simplex-panel").style.height = value + "px";
    if (host.setHeight) { host.setHeight(total); }
  }

  function traceNamed(name) {
    for (var i = 0; i < data.length; i++) { if (data[i].name === name) { return i; } }
    return -1;
  }

  function useGeometry(args) {
    var bytes = args.geometry;
    var text = typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
    geometry = JSON.parse(text);
    data = geometry.figure.data;
    layout = geometry.figure.layout;
    layout.uirevision = args.geometry_key;  // a new graph starts unzoomed; frames of one graph keep the zoom
    layout.autosize = true;
    delete layout.width;
    if (host.counter !== false) {  // room above the nodes for the counter, which would otherwise hide some of them
      layout.margin = Object.assign({}, layout.margin, { t: Math.max((layout.margin || {}).t || 0, COUNTER_ROOM) });
    }
    nodeTrace = traceNamed("nodes");
    shareTraces = [];
    for (var level = 1; level <= geometry.levels; level++) {
      shareTraces.push(traceNamed("GTV share " + level + "/" + geometry.levels));
    }
    legend.innerHTML = geometry.legend;
    part("simplex-title").style.fontSize = geometry.text_px + "px";
  }

  // A new trace object per changed trace (new arrays), so Plotly.react redraws those traces only.
  function applyFrame(args) {
    data = data.slice();
    var node = Object.assign({}, data[nodeTrace]);
    node.marker = Object.assign({}, node.marker, { color: args.colors });
    // Hover rows: index, label, degree (fixed) and the soft assignment (sent in whole per cent).
    // (A frame played from the queue has no hover: the rows of the previous frame stay.)
    if (args.hover) {
      var fixed = geometry.hover, soft = args.hover, width = args.hover_columns || 0, rows = new Array(fixed.length);
      for (var i = 0; i < fixed.length; i++) {
        var row = fixed[i].slice();
        for (var c = 0; c < width; c++) { row.push(soft[i * width + c] / 100); }
        rows[i] = row;
      }
      node.customdata = rows;
    }
    node.visible = true;
    data[nodeTrace] = node;
    var gtv = args.gtv, x = geometry.x, y = geometry.y, lx = shareTraces.map(function () { return []; });
    var ly = shareTraces.map(function () { return []; });
    for (var j = 0; j + 2 < gtv.length; j += 3) {
      var lv = gtv[j + 2] - 1;
      lx[lv].push(x[gtv[j]], x[gtv[j + 1]], null);
      ly[lv].push(y[gtv[j]], y[gtv[j + 1]], null);
    }
    shareTraces.forEach(function (index, lv) {
      data[index] = Object.assign({}, data[index], { x: lx[lv], y: ly[lv], visible: true });
    });
  }

  // The node colours of the plot's colorscale (cluster_colorscale: grey to each cluster's colour), looked up in a
  // table of STEPS shades per cluster; a colour value v lies in the segment of cluster floor(v * k).
  var STEPS = 64;
  function rgb(color) {
    if (color.charAt(0) === "#") {
      var hex = parseInt(color.slice(1), 16);
      return [(hex >> 16) & 255, (hex >> 8) & 255, hex & 255];
    }
    return color.replace(/[^\d.,]/g, "").split(",").slice(0, 3).map(Number);
  }
  function buildPalette() {
    var scale = data[nodeTrace].marker.colorscale, table = [];
    for (var seg = 0; seg + 1 < scale.length; seg += 2) {
      var from = rgb(scale[seg][1]), to = rgb(scale[seg + 1][1]);
      for (var i = 0; i < STEPS; i++) {
        var t = i / (STEPS - 1);
        table.push("rgb(" + [0, 1, 2].map(function (c) { return Math.round(from[c] + t * (to[c] - from[c])); })
          .join(",") + ")");
      }
    }
    palette = { table: table, segments: scale.length / 2 };
  }

  // Plot pixels of data coordinates, from the axes plotly laid out (they follow zoom and pan).
  function projector() {
    var full = div._fullLayout, xa = full.xaxis, ya = full.yaxis;
    return {
      x: function (value) { return xa._offset + xa.l2p(value); },
      y: function (value) { return ya._offset + ya.l2p(value); },
      box: [xa._offset, ya._offset, xa._length, ya._length]
    };
  }

  // Hide the plot's node and darkened-edge traces while the playback canvas shows them (once: a plotly draw shows
  // them again, see applyFrame).
  function hidePlotTraces() {
    if (plotHidden) { return Promise.resolve(); }
    plotHidden = true;
    return Plotly.restyle(div, { visible: false }, [nodeTrace].concat(shareTraces));
  }

  // The palette index of a node's colour value (see buildPalette).
  function shadeOf(value) {
    var scaled = value * palette.segments, segment = Math.min(Math.floor(scaled), palette.segments - 1);
    return Math.min(segment * STEPS + Math.round((scaled - segment) * (STEPS - 1)), palette.table.length - 1);
  }

  // Nodes grouped by shade, each group filled in one path (few fillStyle changes).
  function paintNodes(g, colors, place, radius, outline, outlineColor) {
    var groups = {};
    for (var i = 0; i < colors.length; i++) {
      var shade = shadeOf(colors[i]);
      (groups[shade] = groups[shade] || []).push(i);
    }
    g.lineWidth = outline;
    g.strokeStyle = outlineColor;
    Object.keys(groups).forEach(function (shade) {
      g.fillStyle = palette.table[shade];
      g.beginPath();
      groups[shade].forEach(function (node) {
        var p = place(node);
        g.moveTo(p[0] + radius, p[1]);
        g.arc(p[0], p[1], radius, 0, 2 * Math.PI);
      });
      g.fill();
      if (outline > 0) { g.stroke(); }
    });
  }

  function fitCanvas(target, width, tall) {
    var ratio = window.devicePixelRatio || 1;
    if (target.width !== Math.round(width * ratio) || target.height !== Math.round(tall * ratio)) {
      target.width = Math.round(width * ratio);
      target.height = Math.round(tall * ratio);
      target.style.width = width + "px";
      target.style.height = tall + "px";
    }
    var g = target.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, tall);
    return g;
  }

  // The assignment simplex of a frame: the corners (cluster colours, numbered), the outline, a cross in the middle
  // (uniform rows) and every node at its barycentre, in its graph colour. Drawn with every frame of the graph.
  var simplexShown = null;
  window.addEventListener("resize", function () { if (simplexShown !== null) { paintSimplex(simplexShown); } });
  function paintSimplex(args) {
    simplexShown = args;
    var panel = part("simplex-panel");
    var width = panel.clientWidth, tall = panel.clientHeight;
    if (!width || !tall || !args.simplex) { return; }
    var g = fitCanvas(simplexCanvas, width, tall), corners = geometry.corners, k = corners.length;
    var flat = k === 2, top = 28, scale = Math.min(width / 2.6, (tall - top) / (flat ? 1.0 : 2.6));
    // (K = 2: the line sits in the upper third, where the eye meets it first; more: the polygon fills the panel)
    var cx = width / 2, cy = flat ? top + (tall - top) / 3 : top + (tall - top) / 2 + 0.12 * scale;
    var px = function (vx, vy) { return [cx + vx * scale, cy - vy * scale]; };
    var colors = palette.table, clusterColor = function (c) { return colors[c * STEPS + STEPS - 1]; };
    g.strokeStyle = "#bbbbbb";
    g.lineWidth = 1.5;
    g.beginPath();
    corners.forEach(function (c, i) { var p = px(c[0], c[1]); if (i === 0) { g.moveTo(p[0], p[1]); } else { g.lineTo(p[0], p[1]); } });
    if (!flat) { g.closePath(); }
    g.stroke();
    var mid = px(0, 0);
    g.strokeStyle = "#888888";
    g.beginPath();
    g.moveTo(mid[0] - 7, mid[1]); g.lineTo(mid[0] + 7, mid[1]); g.moveTo(mid[0], mid[1] - 7); g.lineTo(mid[0], mid[1] + 7);
    g.stroke();
    var s = args.simplex, n = s.length / 2, radius = n <= 100 ? 5 : n <= 1000 ? 3.5 : 2.2;
    // (no outline: on a corner the sharp nodes lie packed, and white outlines would make their disc look pale)
    paintNodes(g, args.colors, function (i) { return px(s[2 * i], s[2 * i + 1]); }, radius, 0, "white");
    g.font = "bold 16px sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    corners.forEach(function (c, i) {
      // (K > 2: outside the disc of packed nodes on the corner; K = 2: under the line's ends)
      var out = flat ? 1.15 : 1.27, p = px(c[0] * out, c[1] * out - (flat ? 0.16 : 0));
      g.fillStyle = clusterColor(i);
      g.fillText(String(i), p[0], p[1]);
    });
  }

  function paintPlayback(args) {
    var width = div.clientWidth, tall = div.clientHeight;
    var g = fitCanvas(canvas, width, tall), at = projector(), x = geometry.x, y = geometry.y;
    g.save();
    g.beginPath();
    g.rect(at.box[0], at.box[1], at.box[2], at.box[3]);
    g.clip();
    var gtv = args.gtv;
    shareTraces.forEach(function (index, lv) {
      var line = data[index].line || {};
      g.strokeStyle = line.color || "#333";
      g.lineWidth = line.width || 1.5;
      g.beginPath();
      for (var j = 0; j + 2 < gtv.length; j += 3) {
        if (gtv[j + 2] !== lv + 1) { continue; }
        g.moveTo(at.x(x[gtv[j]]), at.y(y[gtv[j]]));
        g.lineTo(at.x(x[gtv[j + 1]]), at.y(y[gtv[j + 1]]));
      }
      g.stroke();
    });
    var marker = data[nodeTrace].marker;
    paintNodes(g, args.colors, function (i) { return [at.x(x[i]), at.y(y[i])]; }, (marker.size || 6) / 2,
               (marker.line || {}).width || 0, (marker.line || {}).color || "white");
    g.restore();
    canvas.style.display = "block";
  }

  // A frame while playing: on the playback canvas (the plot's nodes and darkened edges hidden once; the simplex beside it).
  function play(args) {
    shown = args;
    return hidePlotTraces().then(function () {
      paintPlayback(args);
      paintSimplex(args);
      live.updates++;
      live.played++;
      drew(args);
    });
  }

  function drew(args) {
    current = args;
    live.epoch = args.epoch;
    live.drawn.push(args.epoch);
    if (live.drawn.length > 200) { live.drawn.shift(); }
    paintCounter(args);
    if (host.drawn) { host.drawn(args.epoch); }
  }

  // The epoch counter over the graph: the epoch (of `total`) and sharpness of the frame just drawn, so it never
  // disagrees with the picture; "Result" for a result without epochs (total 0).
  var current = null;
  function paintCounter(args) {
    var counter = part("counter");
    if (host.counter === false) { counter.style.display = "none"; return; }
    counter.textContent = args.total === 0 ? "Result" : "Epoch " + args.epoch + (args.total ? " / " + args.total : "");
    var small = document.createElement("small");
    small.textContent = typeof args.sharpness === "number" ? "sharpness " + args.sharpness.toFixed(2) : "";
    counter.appendChild(small);
    live.counter = counter.textContent;
  }

  // Pause: stay on the frame on screen (drop the queue), draw it with plotly and report its epoch to the host, which
  // then shows that epoch everywhere.
  function holdFrame(args) {
    live.held = args.hold;
    queue = [];
    if (timer !== null) { clearTimeout(timer); timer = null; }
    var frame = Object.assign({}, args, { playing: false, report: args.hold });
    if (current !== null && args.geometry_key === live.key) {
      ["colors", "gtv", "simplex", "epoch", "sharpness"].forEach(function (name) { frame[name] = current[name]; });
      frame.hover = null;
    }
    queue.push(frame);
    pump();
  }

  function report(args) {
    if (args.report && host.report) { host.report({ hold: args.report, epoch: args.epoch }); }
  }

  function draw(args) {
    if (args.geometry_key !== live.key || geometry === null) {
      useGeometry(args);
      applyFrame(args);
      setHeight(args.height || geometry.height);
      plotHidden = false;
      shown = null;
      canvas.style.display = "none";
      buildPalette();
      return Plotly.newPlot(div, data, layout, CONFIG).then(function () {
        // zoom, pan and resizes move the playback canvas's nodes with the plot
        ["plotly_relayout", "plotly_relayouting", "plotly_afterplot"].forEach(function (name) {
          div.on(name, function () { if (shown !== null) { paintPlayback(shown); } });
        });
        live.newPlots++;
        live.key = args.geometry_key;
        paintSimplex(args);
        drew(args);
        report(args);
      });
    }
    if (args.playing) { return play(args); }
    applyFrame(args);
    plotHidden = false;
    return Plotly.react(div, data, layout, CONFIG).then(function () {
      shown = null;
      canvas.style.display = "none";
      paintSimplex(args);
      live.updates++;
      drew(args);
      report(args);
    });
  }

  // Draw the oldest queued frame; while playing, on a steady beat of playbackMs (a timer that fires late does not
  // delay the frames after it; after a stall the beat starts again rather than catching up in a burst).
  function pump() {
    if (busy || timer !== null || queue.length === 0 || typeof Plotly === "undefined") { return; }
    var now = performance.now();
    if (queue[0].playing) {
      if (now - beat > 2 * playbackMs) { beat = now - playbackMs; }  // stalled, or the first frame: draw now
      var wait = beat + playbackMs - now;
      if (wait > 0) {
        var due = now + wait;
        timer = setTimeout(function () {
          timer = null;
          live.lateMs += performance.now() - due;
          live.waits++;
          pump();
        }, wait);
        return;
      }
      beat += playbackMs;
    }
    var args = queue.shift();
    busy = true;
    drawStart = performance.now();
    var done = function () { live.drawMs += performance.now() - drawStart; busy = false; pump(); };
    var failed = function (err) {
      live.error = String(err && err.stack || err);
      live.key = null;  // draw anew next time
      part("error").textContent = "The graph could not be drawn: " + err;
      console.error(err);
      done();
    };
    try {
      draw(args).then(function () {
        live.error = null;
        part("error").textContent = "";
        done();
      }, failed);
    } catch (err) {
      failed(err);
    }
  }

  // A render (geometry, frame and queued frames; see gtvviz/viz/live_payload.py): queued, then drawn in turn.
  live.receive = function (args) {
    live.renders++;
    playbackMs = args.playback_ms || playbackMs;
    if (args.hold) {  // a new hold: stay on the drawn frame; the same hold again: the host has not taken it yet
      if (args.hold !== live.held) { holdFrame(args); }
      return;
    }
    // Not playing (Pause, Step, replay) or a new plot: nothing waits; the render is drawn next, at once.
    var same = args.playing && args.geometry_key === live.key;
    var last = queue.length ? queue[queue.length - 1].epoch : live.epoch;
    if (same && args.epoch === last) { return; }  // the same frame again (a rerun of the page, not of training)
    if (!same) {
      queue = [];
      if (timer !== null) { clearTimeout(timer); timer = null; }
    }
    // (frames may be sent again: an epoch already queued or drawn is skipped)
    (same && args.frames || []).filter(function (frame) { return frame.epoch > last; }).forEach(function (frame) {
      queue.push(Object.assign({}, args, { colors: frame.colors, gtv: frame.gtv, simplex: frame.simplex,
                                           epoch: frame.epoch, sharpness: frame.sharpness, hover: null }));
    });
    queue.push(args);
    live.received += (same && args.frames ? args.frames.length : 0) + 1;  // (frames sent again included)
    var most = args.max_queue || 16;
    if (queue.length > most) { live.dropped += queue.length - most; queue.splice(0, queue.length - most); }
    pump();
  };
  return live;
}
