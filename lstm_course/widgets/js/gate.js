// The gate of "The Core Idea Behind LSTMs": g = sigma(a), and what passes is g * v.
// Front end of lstm_course.widgets.gates.GateWidget; compute as gates.gate_pass.
import { fmtFixed, fmtG, fmtThousands, h, root, s, scale, sigmoid, slider, tr } from "./common.js";

/** gates.gate_pass: (g, g * v) with g = sigma(a). */
export function gatePass(a, v) {
  const g = sigmoid(a);
  return { g, passed: v.map((x) => g * x) };
}

/** The numbers of the summary line, formatted as gates._gate_summary formats them. */
export function gateSummary(a, steps) {
  const g = sigmoid(a);
  return { a: fmtFixed(a, 1, true), g: fmtFixed(g, 4), steps: fmtThousands(steps), power: fmtG(g ** steps, 3) };
}

function render({ model, el }) {
  const R = model.get("a_range");
  const r = root(el, model.get("themes"), tr("gate explorer: a sigmoid gate and what passes it"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  r.append(controls, summary);
  const W = 700, H = 290;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" }, r);
  // left: the sigmoid on [-R, R]
  const L = { x0: 60, x1: 320, y0: 40, y1: 240 };
  const xs = scale(-R, R, L.x0, L.x1), ys = scale(-0.05, 1.05, L.y1, L.y0);
  s("line", { x1: L.x0, x2: L.x0, y1: L.y0, y2: L.y1, stroke: "currentColor", "stroke-width": 1 }, svg);
  s("line", { x1: L.x0, x2: L.x1, y1: L.y1, y2: L.y1, stroke: "currentColor", "stroke-width": 1 }, svg);
  for (const v of [0, 0.5, 1]) {
    s("text", { x: L.x0 - 6, y: ys(v), "text-anchor": "end", "dominant-baseline": "central", "font-size": 12 }, svg).textContent = String(v);
  }
  for (const v of [-R, -R / 2, 0, R / 2, R]) {
    s("text", { x: xs(v), y: L.y1 + 16, "text-anchor": "middle", "font-size": 12 }, svg).textContent = String(v);
  }
  s("text", { x: (L.x0 + L.x1) / 2, y: L.y1 + 36, "text-anchor": "middle", "font-size": 13 }, svg).textContent = tr("pre-activation a");
  s("text", { x: 16, y: (L.y0 + L.y1) / 2, "text-anchor": "middle", "font-size": 13,
              transform: `rotate(-90 16 ${(L.y0 + L.y1) / 2})` }, svg).textContent = tr("gate value σ(a)");
  const curve = [];
  for (let k = 0; k <= 160; k++) { const z = -R + (2 * R * k) / 160; curve.push(`${xs(z).toFixed(2)},${ys(sigmoid(z)).toFixed(2)}`); }
  s("polyline", { points: curve.join(" "), fill: "none", stroke: "var(--lw-layer-edge)", "stroke-width": 2.5 }, svg);
  const guideV = s("line", { stroke: "var(--lw-muted)", "stroke-dasharray": "2 3" }, svg);
  const guideH = s("line", { stroke: "var(--lw-muted)", "stroke-dasharray": "2 3" }, svg);
  const dot = s("circle", { r: 6, fill: "var(--lw-orange)", "data-role": "dot" }, svg);
  const caption = s("text", { x: (L.x0 + L.x1) / 2, y: 22, "text-anchor": "middle", "font-size": 14 }, svg);
  // right: v (grey) and g * v (orange)
  const v = model.get("v");
  const Rt = { x0: 400, x1: 680, y0: 40, y1: 240 };
  const lim = 1.15 * Math.max(...v.map(Math.abs));
  const yb = scale(-lim, lim, Rt.y1, Rt.y0);
  const slot = (Rt.x1 - Rt.x0) / v.length;
  s("text", { x: (Rt.x0 + Rt.x1) / 2, y: 22, "text-anchor": "middle", "font-size": 14 }, svg).textContent = tr("what passes the gate");
  s("line", { x1: Rt.x0, x2: Rt.x1, y1: yb(0), y2: yb(0), stroke: "currentColor" }, svg);
  const bars = v.map((x, j) => {
    const cx = Rt.x0 + slot * (j + 0.5);
    s("rect", { x: cx - slot * 0.35, width: slot * 0.7, y: Math.min(yb(0), yb(x)), height: Math.abs(yb(x) - yb(0)),
                fill: "var(--lw-module-edge)" }, svg);
    s("text", { x: cx, y: Rt.y1 + 18, "text-anchor": "middle", "font-size": 13 }, svg).textContent = `v${j + 1}`;
    return s("rect", { x: cx - slot * 0.22, width: slot * 0.45, fill: "var(--lw-orange)", "data-role": "passed" }, svg);
  });
  s("text", { x: (Rt.x0 + Rt.x1) / 2, y: Rt.y1 + 40, "text-anchor": "middle", "font-size": 12 }, svg).textContent =
    tr("grey: v (before the gate)   orange: σ(a) · v (passes)");

  function update() {
    const a = model.get("a"), steps = model.get("steps");
    const { g, passed } = gatePass(a, v);
    dot.setAttribute("cx", xs(a)); dot.setAttribute("cy", ys(g));
    guideV.setAttribute("x1", xs(a)); guideV.setAttribute("x2", xs(a));
    guideV.setAttribute("y1", ys(0)); guideV.setAttribute("y2", ys(g));
    guideH.setAttribute("x1", xs(-R)); guideH.setAttribute("x2", xs(a));
    guideH.setAttribute("y1", ys(g)); guideH.setAttribute("y2", ys(g));
    caption.textContent = `a = ${fmtFixed(a, 1, true)}   σ(a) = ${fmtFixed(g, 3)}`;
    passed.forEach((p, j) => {
      bars[j].setAttribute("y", Math.min(yb(0), yb(p)));
      bars[j].setAttribute("height", Math.abs(yb(p) - yb(0)));
    });
    const n = gateSummary(a, steps);
    summary.replaceChildren(`σ(${n.a}) = `, h("b", { "data-role": "g", text: n.g }), `\u2003σ(${n.a})`,
                            h("sup", { text: n.steps }), " = ", h("b", { "data-role": "power", text: n.power }));
    svg.setAttribute("aria-label", tr(
      "Left: the sigmoid with a = {a} marked at σ(a) = {g}. Right: the vector v and the share σ(a) · v that passes.",
      { a: fmtFixed(a, 1, true), g: fmtFixed(g, 3) }));
  }
  const sl = slider(controls, { name: "a", label: tr("pre-activation a"), min: -R, max: R, step: model.get("a_step"),
                                value: model.get("a"), format: (x) => fmtFixed(x, 1, true),
                                onInput: (x) => { model.set("a", x); model.save_changes(); } });
  const onChange = () => { sl.set(model.get("a")); update(); };
  model.on("change:a", onChange);
  update();
  return () => model.off("change:a", onChange);
}

export default { render };
