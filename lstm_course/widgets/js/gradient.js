// The vanishing and exploding gradient of "The Problem of Long-Term Dependencies":
// ||dL/dh_{T-k}|| / ||dL/dh_T|| against k for a tanh RNN whose W_hh has spectral radius rho.
// Front end of lstm_course.widgets.recurrence.GradientWidget; compute as
// recurrence.gradient_curve, from the RNN's weights, inputs and dL/dh_T serialised in the state.
import { fmtFixed, fmtG, h, root, s, scale, slider, tr } from "./common.js";

const norm = (m) => Math.sqrt(m.reduce((acc, row) => acc + row.reduce((a, v) => a + v * v, 0), 0));

/**
 * recurrence.gradient_curve(radius, inputScale): ratios for k = 0 .. T.
 * net: {W_ih (H, D), W_hh (H, H) at spectral radius rho0, rho0, b_ih, b_hh, noise (B, T, D), g (B, H)}.
 */
export function gradientCurve(radius, inputScale, net) {
  const { W_ih, b_ih, b_hh, noise, g: g0 } = net;
  const k = radius / net.rho0;                          // gradients.scale_spectral_radius
  const W = net.W_hh.map((row) => row.map((v) => v * k));
  const H = W.length, T = noise[0].length;
  const norms = [norm(g0)];
  // forward: hs[b][t] = h_t for t = 0 .. T
  const hs = noise.map((seq) => {
    const out = [new Array(H).fill(0)];
    for (const xt of seq) {
      const prev = out[out.length - 1];
      out.push(W_ih.map((row, j) => {
        let a = 0, r = 0;
        for (let d = 0; d < xt.length; d++) a += inputScale * xt[d] * row[d];
        for (let m = 0; m < H; m++) r += prev[m] * W[j][m];
        return Math.tanh(a + b_ih[j] + b_hh[j] + r);
      }));
    }
    return out;
  });
  // backward: dL/dh_t = (dL/dh_{t+1} * (1 - h_{t+1}^2)) W_hh
  let g = g0.map((row) => row.slice());
  for (let step = 1; step <= T; step++) {
    const t = T - step;
    g = g.map((row, b) => {
      const ht = hs[b][t + 1];
      const da = row.map((v, j) => v * (1 - ht[j] * ht[j]));
      return Array.from({ length: H }, (_, m) => { let acc = 0; for (let j = 0; j < H; j++) acc += da[j] * W[j][m]; return acc; });
    });
    norms.push(norm(g));
  }
  return norms.map((n) => n / norms[0]);
}

function render({ model, el }) {
  const net = model.get("net"), T = net.noise[0].length;
  const r = root(el, model.get("themes"), tr("gradient through time: how the spectral radius of W_hh scales it"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  r.append(controls, summary);
  const commit = (name, v) => { model.set(name, v); model.save_changes(); };
  const rho = slider(controls, { name: "radius", label: tr("spectral radius ρ"), min: 0.2, max: 3.0, step: 0.05, value: model.get("radius"),
                                 format: (v) => fmtFixed(v, 2), onInput: (v) => commit("radius", v) });
  const sc = slider(controls, { name: "input_scale", label: tr("input scale"), min: 0, max: 3, step: 0.1, value: model.get("input_scale"),
                                format: (v) => fmtFixed(v, 1), onInput: (v) => commit("input_scale", v) });
  const [YMIN, YMAX] = [-20, 8];
  const x0 = 80, x1 = 680, y0 = 30, y1 = 260;
  const svg = s("svg", { viewBox: "0 0 700 320", role: "img" }, r);
  const xs = scale(0, T, x0, x1), ys = scale(YMIN, YMAX, y1, y0);
  s("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: "none", stroke: "var(--lw-frame)" }, svg);
  for (let e = YMIN; e <= YMAX; e += 4) {
    s("text", { x: x0 - 6, y: ys(e), "text-anchor": "end", "dominant-baseline": "central", "font-size": 11 }, svg).textContent = `1e${e}`;
  }
  s("line", { x1: x0, x2: x1, y1: ys(0), y2: ys(0), stroke: "var(--lw-muted)" }, svg);
  for (const k of [0, Math.round(T / 4), Math.round(T / 2), Math.round((3 * T) / 4), T]) {
    s("text", { x: xs(k), y: y1 + 16, "text-anchor": "middle", "font-size": 11 }, svg).textContent = String(k);
  }
  s("text", { x: (x0 + x1) / 2, y: y1 + 36, "text-anchor": "middle", "font-size": 12 }, svg).textContent = tr("steps back k");
  s("text", { x: x0 + 8, y: y1 + 54, "font-size": 12 }, svg).textContent = tr("solid: measured ‖∂L/∂hₜ₋ₖ‖ / ‖∂L/∂hₜ‖ (tanh RNN)   dashed: ρᵏ");
  const clipPath = `lw-clip-${Math.floor(Math.random() * 1e9)}`;
  const defs = s("defs", {}, svg);
  s("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, s("clipPath", { id: clipPath }, defs));
  const g = s("g", { "clip-path": `url(#${clipPath})` }, svg);
  const power = s("polyline", { fill: "none", stroke: "var(--lw-muted)", "stroke-width": 1.5, "stroke-dasharray": "6 4", "data-role": "power" }, g);
  const measured = s("polyline", { fill: "none", stroke: "var(--lw-muted-blue)", "stroke-width": 2.5, "data-role": "measured" }, g);
  const title = s("text", { x: 350, y: 18, "text-anchor": "middle", "font-size": 13 }, svg);
  const y = (v) => ys(Math.max(YMIN - 5, Math.min(YMAX + 5, v > 0 ? Math.log10(v) : YMIN - 5)));
  function update() {
    const radius = model.get("radius"), inputScale = model.get("input_scale");
    const ratios = gradientCurve(radius, inputScale, net);
    measured.setAttribute("points", ratios.map((v, k) => `${xs(k).toFixed(2)},${y(v).toFixed(2)}`).join(" "));
    power.setAttribute("points", ratios.map((_, k) => `${xs(k).toFixed(2)},${y(radius ** k).toFixed(2)}`).join(" "));
    title.textContent = tr("spectral radius ρ = {rho}, input scale {scale}", { rho: fmtFixed(radius, 2), scale: fmtFixed(inputScale, 2) });
    summary.replaceChildren(tr("after k = {T} steps back the gradient is ", { T }), h("b", { "data-role": "ratio", text: fmtG(ratios[T], 2) }),
                            tr(" times its size at hₜ."));
    svg.setAttribute("aria-label", tr(
      "Log-scale curve of the gradient ratio against k from 0 to {T} for ρ = {rho}: it ends at {end}; the dashed line is ρ to the power k.",
      { T, rho: fmtFixed(radius, 2), end: fmtG(ratios[T], 2) }));
    rho.set(radius); sc.set(inputScale);
  }
  model.on("change:radius", update);
  model.on("change:input_scale", update);
  update();
}

export default { render };
