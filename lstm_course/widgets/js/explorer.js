// The gate explorer of "Step-by-Step LSTM Walk Through": one step of the cell with the
// gates set by hand. Front end of lstm_course.widgets.explorer.ExplorerWidget; compute
// as explorer.cell_step and explorer.cell_flows; the diagram is diagrams.geometry("lstm_cell").
import { cellStep, drawDiagram, fmtFixed, h, legendText, root, s, scale, slider, tr } from "./common.js";

const clip = (v) => Math.min(1, Math.max(0, Math.abs(v)));

/** explorer.cell_flows: how much flows along each arrow, in [0, 1]. */
export function cellFlows(f, i, cTilde, o, cPrev, cScale) {
  const st = cellStep(f, i, cTilde, o, cPrev);
  return {
    forget: clip(f), input: clip(i), candidate: clip(cTilde),
    cell_in: clip(cPrev / cScale), cell_kept: clip(st.kept / cScale),
    cell_write: clip(st.written / cScale), cell_out: clip(st.C / cScale),
    output: clip(o), h: clip(st.h),
  };
}

const KEYS = ["f", "i", "c_tilde", "o", "c_prev"];
const BARS = [["c_prev", "C_{t-1}"], ["kept", "f·C_{t-1}"], ["written", "i·C̃"], ["C", "C_t"], ["tanh_C", "tanh C_t"], ["h", "h_t"]];
// style.LINE_CYCLE[:5], as the matplotlib figure (explorer.py) colours the units
export const UNIT_COLORS = ["blue", "orange", "green", "purple", "sky"].map((c) => `var(--lw-${c})`);

function render({ model, el }) {
  const cScale = model.get("c_scale");
  const r = root(el, model.get("themes"), tr("LSTM gate explorer: set the gates of one step by hand"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  r.append(controls);
  const values = () => model.get("values");
  const n = values().f.length;
  // which unit the sliders edit
  const group = nextGroup();
  const fs = h("fieldset", { role: "radiogroup" }, [h("legend", { text: tr("unit the sliders set") })]);
  const radios = [];
  for (let u = 0; u < n; u++) {
    const id = `${group}-${u}`;
    const radio = h("input", { type: "radio", name: group, id, value: u, "data-name": "unit" });
    radio.addEventListener("change", () => { if (radio.checked) { model.set("unit", u); model.save_changes(); } });
    radios.push(radio);
    fs.append(h("span", {}, [radio, h("label", { for: id, text: " " + tr("unit {n}", { n: u + 1 }) })]));
  }
  controls.append(fs);
  const specs = [["f", tr("f_t  forget gate"), 0, 1], ["i", tr("i_t  input gate"), 0, 1], ["c_tilde", tr("C̃_t  candidate"), -1, 1],
                 ["o", tr("o_t  output gate"), 0, 1], ["c_prev", tr("C_{t-1}  old state"), -cScale, cScale]];
  const sliders = {};
  for (const [k, label, lo, hi] of specs) {
    sliders[k] = slider(controls, {
      name: k, label: label.replace("_{t-1}", "ₜ₋₁").replace("_t", "ₜ"), min: lo, max: hi, step: 0.05,
      value: values()[k][model.get("unit")], format: (x) => fmtFixed(x, 2),
      onInput: (x) => {
        const v = structuredClone(values());
        v[k][model.get("unit")] = x;
        model.set("values", v);
        model.save_changes();
      },
    });
  }
  r.append(summary);
  const diagram = drawDiagram(model.get("geometry"), model.get("style"), model.get("flow_keys"), "");
  r.append(diagram.svg);
  // bars: the six values of every unit
  const W = 700, H = 200, y0 = 20, y1 = 170, x0 = 60, x1 = 600;
  const chart = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" }, r);
  const yb = scale(-3, 3, y1, y0);
  for (const t of [-2, -1, 0, 1, 2]) {
    s("text", { x: x0 - 8, y: yb(t), "text-anchor": "end", "dominant-baseline": "central", "font-size": 11 }, chart).textContent = String(t);
  }
  s("line", { x1: x0, x2: x1, y1: yb(0), y2: yb(0), stroke: "currentColor" }, chart);
  const slot = (x1 - x0) / BARS.length, bw = (slot * 0.8) / n;
  const rects = [];
  BARS.forEach(([, label], b) => {
    const t = s("text", { x: x0 + slot * (b + 0.5), y: y1 + 22, "text-anchor": "middle", "font-size": 13 }, chart);
    t.textContent = label.replace("_{t-1}", "ₜ₋₁").replace("_t", "ₜ");
  });
  for (let u = 0; u < n; u++) {
    rects.push(BARS.map((_, b) => s("rect", { x: x0 + slot * b + slot * 0.1 + bw * u, width: bw * 0.92, fill: UNIT_COLORS[u],
                                               "data-role": `bar-${u}-${b}` }, chart)));
    legendText(chart, { x: x1 + 12, y: y0 + 16 * u + 8, "font-size": 12 }, "■", UNIT_COLORS[u], tr("unit {n}", { n: u + 1 }));
  }

  function update() {
    const v = values(), unit = model.get("unit");
    const steps = Array.from({ length: n }, (_, u) => cellStep(v.f[u], v.i[u], v.c_tilde[u], v.o[u], v.c_prev[u]));
    diagram.setFlows(cellFlows(v.f[unit], v.i[unit], v.c_tilde[unit], v.o[unit], v.c_prev[unit], cScale));
    steps.forEach((st, u) => {
      const vals = { ...st, c_prev: v.c_prev[u] };
      BARS.forEach(([key], b) => {
        const y = vals[key];
        rects[u][b].setAttribute("y", Math.min(yb(0), yb(y)));
        rects[u][b].setAttribute("height", Math.abs(yb(y) - yb(0)));
        rects[u][b].setAttribute("opacity", u === unit ? 1 : 0.35);
      });
    });
    const st = steps[unit];
    summary.replaceChildren(tr("unit {n}", { n: unit + 1 }) + ":  Cₜ = ", h("b", { "data-role": "C", text: fmtFixed(st.C, 2, true) }),
      "   tanh(Cₜ) = ", h("b", { "data-role": "tanh_C", text: fmtFixed(st.tanh_C, 2, true) }),
      "   hₜ = ", h("b", { "data-role": "h", text: fmtFixed(st.h, 2, true) }));
    diagram.svg.setAttribute("aria-label", tr(
      "The LSTM cell with every arrow as wide as what flows along it for unit {n}: forget gate {f}, input gate {i}, candidate {c}, output gate {o}, old cell state {prev}; new cell state {C}.",
      { n: unit + 1, f: fmtFixed(v.f[unit], 2), i: fmtFixed(v.i[unit], 2), c: fmtFixed(v.c_tilde[unit], 2),
        o: fmtFixed(v.o[unit], 2), prev: fmtFixed(v.c_prev[unit], 2), C: fmtFixed(st.C, 2) }));
    chart.setAttribute("aria-label", tr("Bars for each unit: the old cell state, the kept and written parts, the new cell state, its tanh and h_t."));
    radios.forEach((radio, u) => { radio.checked = u === unit; });
    for (const k of KEYS) sliders[k].set(v[k][unit]);
  }
  model.on("change:values", update);
  model.on("change:unit", update);
  update();
  return () => { model.off("change:values", update); model.off("change:unit", update); };
}

let groups = 0;
function nextGroup() { groups += 1; return `lw-unit-${groups}-${Math.floor(Math.random() * 1e6)}`; }

export default { render };
