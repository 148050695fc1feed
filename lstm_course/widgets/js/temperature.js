// Sampling temperature of "Conclusion": p_i = exp(z_i / tau) / sum_k exp(z_k / tau).
// Front end of lstm_course.widgets.sampling.TemperatureWidget; compute as
// sampling.temperature_distribution, from the trained model's logits serialised in the state.
import { fmtFixed, h, legendText, root, s, slider, tr } from "./common.js";

function softmax(z) {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** sampling.temperature_distribution: indices of the k likeliest (stable by logit), probs, entropy. */
export function temperatureDistribution(logits, tau, k) {
  const p = softmax(logits.map((v) => v / tau));
  const p1 = softmax(logits);
  const order = logits.map((v, i) => i).sort((a, b) => logits[b] - logits[a] || a - b).slice(0, k);
  let entropy = 0;
  for (const v of p) if (v > 0) entropy -= v * Math.log(v);
  return { top: order, probs: order.map((i) => p[i]), probs_at_1: order.map((i) => p1[i]), entropy };
}

const label = (c) => ({ "\n": "\\n", " ": "␣" }[c] ?? c);

function render({ model, el }) {
  const logits = model.get("logits"), chars = model.get("chars"), k = model.get("k");
  const r = root(el, model.get("themes"), tr("sampling temperature: the next character's distribution"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  const sample = h("pre", { "data-role": "sample" });
  r.append(controls, summary);
  const sl = slider(controls, { name: "temperature", label: tr("temperature τ"), min: model.get("t_min"), max: model.get("t_max"), step: 0.1,
                                value: model.get("temperature"), format: (v) => fmtFixed(v, 1),
                                onInput: (v) => { model.set("temperature", v); model.save_changes(); } });
  const svg = s("svg", { viewBox: "0 0 700 250", role: "img" }, r);
  r.append(sample);
  const x0 = 50, x1 = 600, y0 = 30, y1 = 200, slot = (x1 - x0) / k;
  const y = (p) => y1 - (p / 1.02) * (y1 - y0);
  s("line", { x1: x0, x2: x1, y1, y2: y1, stroke: "currentColor" }, svg);
  for (const t of [0, 0.5, 1]) s("text", { x: x0 - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "central", "font-size": 11 }, svg).textContent = String(t);
  const d1 = temperatureDistribution(logits, 1, k);
  const bars = d1.top.map((i, j) => {
    const cx = x0 + slot * (j + 0.5);
    const bar = s("rect", { x: cx - slot * 0.35, width: slot * 0.7, fill: "var(--lw-blue)", "data-role": `bar-${j}` }, svg);
    s("rect", { x: cx - slot * 0.35, width: slot * 0.7, y: y(d1.probs[j]), height: y1 - y(d1.probs[j]), fill: "none", stroke: "var(--lw-ink)", "stroke-width": 1.5,
                "stroke-dasharray": "4 2" }, svg);
    s("text", { x: cx, y: y1 + 18, "text-anchor": "middle", "font-size": 14, "font-family": "monospace" }, svg).textContent = label(chars[i]);
    return bar;
  });
  legendText(svg, { x: x1 + 8, y: y0 + 10, "font-size": 12 }, "■", "var(--lw-blue)", tr("at τ"));
  legendText(svg, { x: x1 + 8, y: y0 + 28, "font-size": 12 }, "□", "var(--lw-ink)", tr("at τ = 1"));
  const title = s("text", { x: 350, y: 16, "text-anchor": "middle", "font-size": 13 }, svg);
  function update() {
    const tau = model.get("temperature");
    const d = temperatureDistribution(logits, tau, k);
    d.probs.forEach((p, j) => { bars[j].setAttribute("y", y(p)); bars[j].setAttribute("height", y1 - y(p)); });
    title.textContent = tr("next character after “{prompt}”   τ = {tau}", { prompt: model.get("prompt"), tau: fmtFixed(tau, 1) });
    summary.replaceChildren(tr("τ = {tau}: the likeliest character ", { tau: fmtFixed(tau, 1) }), h("b", { text: label(chars[d.top[0]]) }),
      tr(" has p = "),
      h("b", { "data-role": "p0", text: fmtFixed(d.probs[0], 3) }), tr("; entropy "), h("b", { "data-role": "entropy", text: fmtFixed(d.entropy, 2) }), tr(" nats."));
    const text = model.get("samples")[fmtFixed(tau, 1)];
    sample.textContent = text === undefined ? tr("(no sample stored for this temperature)") : model.get("prompt") + text;
    svg.setAttribute("aria-label", tr(
      "Bars: probabilities of the {k} likeliest next characters at temperature {tau}; orange outlines: the same at temperature 1.",
      { k, tau: fmtFixed(tau, 1) }));
    sl.set(tau);
  }
  model.on("change:temperature", update);
  update();
}

export default { render };
