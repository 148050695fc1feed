// The gate schedule of "Step-by-Step LSTM Walk Through": the cell run for ten steps with
// every step's gates set by hand. Front end of lstm_course.widgets.explorer.SequenceWidget;
// compute as explorer.run_schedule (one unit).
import { cellStep, fmtFixed, h, legendText, root, s, scale, slider, tr } from "./common.js";

/** explorer.run_schedule for one unit: C (T + 1), and tanh_C, h, kept, written (T). */
export function runSchedule(schedule) {
  const T = schedule.f.length;
  const out = { C: [schedule.c0], tanh_C: [], h: [], kept: [], written: [] };
  for (let t = 0; t < T; t++) {
    const st = cellStep(schedule.f[t], schedule.i[t], schedule.c_tilde[t], schedule.o[t], out.C[t]);
    out.C.push(st.C);
    for (const k of ["tanh_C", "h", "kept", "written"]) out[k].push(st[k]);
  }
  return out;
}

/** explorer._c_limit: the state panel's y limit. */
export function cLimit(C, cScale) {
  const m = Math.max(...C.map(Math.abs));
  return m <= cScale + 0.1 ? cScale + 0.2 : Math.ceil(m) + 0.2;
}

// the presets' names (explorer.PRESETS) as the select shows them; the value stays the name
const presetLabel = (name) => ({ remember: tr("remember"), overwrite: tr("overwrite"), forget: tr("forget"),
                                 leak: tr("leak") }[name] ?? name);

const GATES = [["f", "fₜ", "var(--lw-green)", 0], ["i", "iₜ", "var(--lw-blue)", 0], ["c_tilde", "C̃ₜ", "var(--lw-orange)", -1], ["o", "oₜ", "var(--lw-purple)", 0]];

function render({ model, el }) {
  const cScale = model.get("c_scale");
  const r = root(el, model.get("themes"), tr("LSTM gate schedule: the cell over ten steps"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  r.append(controls, summary);
  const sch = () => model.get("schedule");
  const T = sch().f.length;
  const commit = (next) => { model.set("schedule", next); model.save_changes(); };
  // preset
  const selId = `lw-preset-${Math.floor(Math.random() * 1e9)}`;
  const select = h("select", { id: selId, "data-name": "preset" },
    Object.keys(model.get("presets")).map((n) => h("option", { value: n, text: presetLabel(n) })));
  select.addEventListener("change", () => {
    model.set("preset", select.value);
    commit(structuredClone(model.get("presets")[select.value]));
  });
  controls.append(h("div", { class: "lw-row" }, [h("label", { for: selId, class: "lw-label", text: tr("preset") }), select]));
  const c0 = slider(controls, { name: "c0", label: tr("C₀  starting state"), min: -cScale, max: cScale, step: 0.05, value: sch().c0,
                                format: (x) => fmtFixed(x, 2), onInput: (x) => commit({ ...structuredClone(sch()), c0: x }) });
  const step = slider(controls, { name: "step", label: tr("edit step"), min: 1, max: T, step: 1, value: model.get("step"),
                                  format: (x) => String(x), onInput: (x) => { model.set("step", x); model.save_changes(); } });
  const gs = {};
  for (const [k, label, , lo] of GATES) {
    gs[k] = slider(controls, { name: k, label: tr("{gate}  at that step", { gate: label }), min: lo, max: 1, step: 0.05,
                               value: sch()[k][model.get("step") - 1], format: (x) => fmtFixed(x, 2),
                               onInput: (x) => { const n = structuredClone(sch()); n[k][model.get("step") - 1] = x; commit(n); } });
  }
  // chart: four rows of gate bars, then C_t and h_t
  const W = 700, x0 = 70, x1 = 600;
  const svg = s("svg", { viewBox: `0 0 ${W} 430`, role: "img" }, r);
  const xs = scale(-0.4, T + 0.4, x0, x1);
  const shade = s("rect", { y: 4, height: 390, width: xs(1) - xs(0), fill: "var(--lw-module-face)", stroke: "var(--lw-frame)", "data-role": "shade" }, svg);
  const rows = {};
  GATES.forEach(([k, label, color, lo], j) => {
    const top = 8 + j * 50, bottom = top + 40;
    const ys = scale(lo - 0.05, 1.05, bottom, top);
    s("text", { x: x0 - 12, y: (top + bottom) / 2, "text-anchor": "end", "dominant-baseline": "central", "font-size": 15 }, svg).textContent = label;
    s("line", { x1: x0, x2: x1, y1: ys(0), y2: ys(0), stroke: "var(--lw-muted)" }, svg);
    rows[k] = { ys, bars: Array.from({ length: T }, (_, t) => s("rect", { x: xs(t + 1) - 0.3 * (xs(1) - xs(0)), width: 0.6 * (xs(1) - xs(0)), fill: color,
                                                                         "data-role": `${k}-${t + 1}` }, svg)) };
  });
  const top = 215, bottom = 390;
  const axis = s("line", { x1: x0, x2: x1, stroke: "var(--lw-muted)" }, svg);
  const cLine = s("polyline", { fill: "none", stroke: "var(--lw-green)", "stroke-width": 3, "data-role": "C-line" }, svg);
  const hLine = s("polyline", { fill: "none", stroke: "var(--lw-vermillion)", "stroke-width": 2, "stroke-dasharray": "6 4", "data-role": "h-line" }, svg);
  const cDots = Array.from({ length: T + 1 }, () => s("circle", { r: 4, fill: "var(--lw-green)" }, svg));
  const limText = [s("text", { x: x0 - 8, "text-anchor": "end", "dominant-baseline": "central", "font-size": 11 }, svg),
                   s("text", { x: x0 - 8, "text-anchor": "end", "dominant-baseline": "central", "font-size": 11 }, svg)];
  for (let t = 0; t <= T; t++) s("text", { x: xs(t), y: bottom + 18, "text-anchor": "middle", "font-size": 11 }, svg).textContent = String(t);
  s("text", { x: (x0 + x1) / 2, y: bottom + 36, "text-anchor": "middle", "font-size": 12 }, svg).textContent = tr("step t");
  legendText(svg, { x: x1 + 10, y: top + 10, "font-size": 14 }, "—", "var(--lw-green)", "Cₜ");
  legendText(svg, { x: x1 + 10, y: top + 30, "font-size": 14 }, "- -", "var(--lw-vermillion)", "hₜ");

  function update() {
    const sc = sch(), t = model.get("step");
    const res = runSchedule(sc);
    const lim = cLimit(res.C, cScale);
    const ys = scale(-lim, lim, bottom, top);
    for (const [k] of GATES) {
      const { ys: yg, bars } = rows[k];
      sc[k].forEach((v, j) => { bars[j].setAttribute("y", Math.min(yg(0), yg(v))); bars[j].setAttribute("height", Math.abs(yg(v) - yg(0))); });
    }
    axis.setAttribute("y1", ys(0)); axis.setAttribute("y2", ys(0));
    cLine.setAttribute("points", res.C.map((c, j) => `${xs(j)},${ys(c)}`).join(" "));
    hLine.setAttribute("points", res.h.map((v, j) => `${xs(j + 1)},${ys(v)}`).join(" "));
    res.C.forEach((c, j) => { cDots[j].setAttribute("cx", xs(j)); cDots[j].setAttribute("cy", ys(c)); });
    limText[0].setAttribute("y", ys(lim - 0.2)); limText[0].textContent = fmtFixed(lim - 0.2, 1);
    limText[1].setAttribute("y", ys(-(lim - 0.2))); limText[1].textContent = fmtFixed(-(lim - 0.2), 1);
    shade.setAttribute("x", xs(t - 0.5));
    select.value = model.get("preset");
    c0.set(sc.c0); step.set(t);
    for (const [k] of GATES) gs[k].set(sc[k][t - 1]);
    summary.replaceChildren(tr("step {t}:  Cₜ = ", { t }), h("b", { "data-role": "C", text: fmtFixed(res.C[t], 2, true) }),
      "   hₜ = ", h("b", { "data-role": "h", text: fmtFixed(res.h[t - 1], 2, true) }),
      tr("   after {T} steps: C = ", { T }), h("b", { "data-role": "C_T", text: fmtFixed(res.C[T], 2, true) }));
    svg.setAttribute("aria-label", tr(
      "Gate schedule over {T} steps (rows f, i, candidate, o) and below it the cell state C_t, from {first} to {last}, and the output h_t.",
      { T, first: fmtFixed(res.C[0], 2), last: fmtFixed(res.C[T], 2) }));
  }
  for (const e of ["change:schedule", "change:step", "change:preset"]) model.on(e, update);
  update();
}

export default { render };
