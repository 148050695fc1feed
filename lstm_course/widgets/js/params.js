// Parameter counts of "LSTM Networks": one RNN, GRU and LSTM layer of input size D and
// hidden size H. Front end of lstm_course.widgets.gates.ParamCountWidget; compute as
// lstm_course.counting.param_counts (PyTorch's layout: W_ih, W_hh, b_ih, b_hh per gate).
import { fmtFixed, fmtThousands, h, root, s, slider, tr } from "./common.js";

const GATES = { rnn: 1, gru: 3, lstm: 4 };
const COLORS = { rnn: "var(--lw-grey)", gru: "var(--lw-sky)", lstm: "var(--lw-orange)" };
const LABELS = { rnn: "RNN", gru: "GRU", lstm: "LSTM" };

/** counting.param_counts(D, H): {rnn, gru, lstm}. */
export function paramCounts(D, H) {
  const out = {};
  for (const [k, g] of Object.entries(GATES)) out[k] = g * (H * D + H * H + 2 * H);
  return out;
}

function render({ model, el }) {
  const r = root(el, model.get("themes"), tr("parameter counts of one RNN, GRU and LSTM layer"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  r.append(controls, summary);
  const max = model.get("max_size");
  const sl = {};
  for (const [k, label] of [["D", tr("input size D")], ["H", tr("hidden size H")]]) {
    sl[k] = slider(controls, { name: k, label, min: 1, max, step: 1, value: model.get(k), format: (x) => String(x),
                               onInput: (x) => { model.set(k, x); model.save_changes(); } });
  }
  const svg = s("svg", { viewBox: "0 0 640 170", role: "img" }, r);
  const title = s("text", { x: 320, y: 18, "text-anchor": "middle", "font-size": 14 }, svg);
  const rows = Object.keys(GATES).map((k, j) => {
    const y = 36 + j * 40;
    s("text", { x: 56, y: y + 14, "text-anchor": "end", "dominant-baseline": "central", "font-size": 13 }, svg).textContent = LABELS[k];
    const bar = s("rect", { x: 64, y, height: 28, fill: COLORS[k], "data-role": `bar-${k}` }, svg);
    const text = s("text", { y: y + 14, "dominant-baseline": "central", "font-size": 13 }, svg);
    return { k, bar, text };
  });
  function update() {
    const D = model.get("D"), H = model.get("H");
    const c = paramCounts(D, H);
    const top = 1.3 * Math.max(...Object.values(c));
    for (const { k, bar, text } of rows) {
      const w = (c[k] / top) * 560;
      bar.setAttribute("width", w);
      text.setAttribute("x", 64 + w + 6);
      text.textContent = fmtThousands(c[k]);
    }
    title.textContent = tr("one layer, input size D = {D}, hidden size H = {H}", { D, H });
    summary.replaceChildren("RNN ", h("b", { "data-role": "rnn", text: fmtThousands(c.rnn) }),
      "   GRU ", h("b", { "data-role": "gru", text: fmtThousands(c.gru) }),
      "   LSTM ", h("b", { "data-role": "lstm", text: fmtThousands(c.lstm) }), `   (LSTM / RNN = ${fmtFixed(c.lstm / c.rnn, 0)})`);
    svg.setAttribute("aria-label", tr("Bars: RNN {rnn}, GRU {gru}, LSTM {lstm} parameters.",
      { rnn: fmtThousands(c.rnn), gru: fmtThousands(c.gru), lstm: fmtThousands(c.lstm) }));
    sl.D.set(D); sl.H.set(H);
  }
  model.on("change:D", update);
  model.on("change:H", update);
  update();
}

export default { render };
