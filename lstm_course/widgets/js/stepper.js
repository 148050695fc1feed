// Stepping an RNN through time, "Recurrent Neural Networks": h_t = tanh(W_ih x_t + b_ih +
// W_hh h_{t-1} + b_hh), one t at a time. Front end of lstm_course.widgets.recurrence.
// StateStepperWidget; compute as recurrence.unrolled_states (weights serialised in the state).
import { fmtFixed, h, root, s, scale, slider, tr } from "./common.js";

/** recurrence.unrolled_states: h_0 = 0 .. h_T, a (T + 1) x H array of arrays. */
export function unrolledStates(x, W_ih, W_hh, b_ih, b_hh) {
  const H = W_hh.length;
  const hs = [new Array(H).fill(0)];
  for (const xt of x) {
    const prev = hs[hs.length - 1];
    hs.push(W_ih.map((row, j) => {
      let a = 0, b = 0;
      for (let d = 0; d < xt.length; d++) a += xt[d] * row[d];
      for (let k = 0; k < H; k++) b += prev[k] * W_hh[j][k];
      return Math.tanh(a + b_ih[j] + b + b_hh[j]);
    }));
  }
  return hs;
}

/** A colour of the map (a list of "#rrggbb" from vmin to vmax), linearly interpolated. */
export function cmapColour(cmap, v, lim) {
  const u = Math.min(1, Math.max(0, (v + lim) / (2 * lim))) * (cmap.length - 1);
  const i = Math.min(cmap.length - 2, Math.floor(u)), f = u - i;
  const c = (hex, k) => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  const mix = [0, 1, 2].map((k) => Math.round(c(cmap[i], k) * (1 - f) + c(cmap[i + 1], k) * f));
  return `rgb(${mix.join(",")})`;
}

function render({ model, el }) {
  const x = model.get("x"), T = x.length, D = x[0].length;
  const hs = unrolledStates(x, model.get("W_ih"), model.get("W_hh"), model.get("b_ih"), model.get("b_hh"));
  const H = hs[0].length, cmap = model.get("cmap");
  const lim = Math.max(1, ...x.flat().map(Math.abs));
  const r = root(el, model.get("themes"), tr("RNN state stepper: the hidden state one time step at a time"));
  const controls = h("div", { class: "lw-controls" });
  const summary = h("p", { class: "lw-summary", "aria-live": "polite" });
  r.append(controls, summary);
  const play = h("button", { type: "button", "data-name": "play", "aria-pressed": "false", text: tr("▶ play") });
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; play.textContent = tr("▶ play"); play.setAttribute("aria-pressed", "false"); };
  play.addEventListener("click", () => {
    if (timer) { stop(); return; }
    play.textContent = tr("❚❚ pause"); play.setAttribute("aria-pressed", "true");
    if (model.get("t") >= T) { model.set("t", 0); model.save_changes(); }
    timer = setInterval(() => {
      const t = model.get("t") + 1;
      model.set("t", Math.min(t, T)); model.save_changes();
      if (t >= T) stop();
    }, 700);
  });
  controls.append(h("div", { class: "lw-row" }, [play]));
  const sl = slider(controls, { name: "t", label: tr("time step t"), min: 0, max: T, step: 1, value: model.get("t"),
                                format: (v) => String(v), onInput: (v) => { model.set("t", v); model.save_changes(); } });
  const W = 700, x0 = 40, x1 = 440, cw = (x1 - x0) / (T + 1), rh = Math.min(22, 160 / (D + H));
  const topX = 30, topH = topX + D * rh + 30, height = topH + H * rh + 40;
  const svg = s("svg", { viewBox: `0 0 ${W} ${height}`, role: "img" }, r);
  s("text", { x: x0, y: topX - 10, "font-size": 13 }, svg).textContent = tr("inputs xₜ, entry by entry");
  s("text", { x: x0, y: topH - 10, "font-size": 13 }, svg).textContent = tr("hidden states hₜ (blank: not computed yet)");
  const cells = (rows, top, value, role) => Array.from({ length: rows }, (_, j) => Array.from({ length: T + 1 }, (_, c) =>
    s("rect", { x: x0 + c * cw, y: top + j * rh, width: cw - 1, height: rh - 1, "data-role": `${role}-${j}-${c}`, "data-value": value(j, c) }, svg)));
  const xCells = cells(D, topX, (j, c) => (c === 0 ? "" : x[c - 1][j]), "x");
  const hCells = cells(H, topH, (j, c) => hs[c][j], "h");
  for (let c = 0; c <= T; c++) s("text", { x: x0 + (c + 0.5) * cw, y: topH + H * rh + 16, "text-anchor": "middle", "font-size": 11 }, svg).textContent = String(c);
  s("text", { x: (x0 + x1) / 2, y: topH + H * rh + 34, "text-anchor": "middle", "font-size": 12 }, svg).textContent = tr("time step t");
  // the current step's column: an ink outline on a halo of the background colour, legible
  // over every colour of the map in both themes
  const box = (y, height) => ["var(--lw-background)", "var(--lw-ink)"].map((stroke, k) =>
    s("rect", { y, height, width: cw, fill: "none", stroke, "stroke-width": k ? 2 : 5, "data-role": k ? "now-box" : null,
                               "data-halo": k ? null : "true" }, svg));
  const boxes = [...box(topX, D * rh), ...box(topH, H * rh)];
  // bars of h_{t-1} (grey) and h_t (orange), one row per entry
  const bx = scale(-1, 1, 480, 680), bh = (height - 70) / H;
  s("line", { x1: bx(0), x2: bx(0), y1: topX, y2: topX + H * bh, stroke: "currentColor" }, svg);
  s("text", { x: 580, y: topX - 10, "text-anchor": "middle", "font-size": 12 }, svg).textContent = tr("grey hₜ₋₁   orange hₜ");
  const prevBars = [], nowBars = [];
  for (let j = 0; j < H; j++) {
    prevBars.push(s("rect", { y: topX + j * bh + bh * 0.5, height: bh * 0.4, fill: "var(--lw-pale-grey)", "data-role": `prev-${j}` }, svg));
    nowBars.push(s("rect", { y: topX + j * bh + bh * 0.1, height: bh * 0.4, fill: "var(--lw-muted-orange)", "data-role": `now-${j}` }, svg));
  }
  s("text", { x: 580, y: topX + H * bh + 18, "text-anchor": "middle", "font-size": 11 }, svg).textContent = tr("entry value (−1 to 1)");

  function update() {
    const t = model.get("t");
    const paint = (grid, value) => grid.forEach((row, j) => row.forEach((rect, c) => {
      const v = value(j, c);
      rect.setAttribute("fill", c > t || v === null ? "none" : cmapColour(cmap, v, lim));
    }));
    paint(xCells, (j, c) => (c === 0 ? null : x[c - 1][j]));
    paint(hCells, (j, c) => hs[c][j]);
    for (const b of boxes) b.setAttribute("x", x0 + t * cw);
    const setBar = (rect, v) => { rect.setAttribute("x", Math.min(bx(0), bx(v))); rect.setAttribute("width", Math.abs(bx(v) - bx(0))); };
    hs[Math.max(t - 1, 0)].forEach((v, j) => setBar(prevBars[j], v));
    hs[t].forEach((v, j) => setBar(nowBars[j], v));
    summary.replaceChildren(t === 0 ? tr("t = 0: the initial state h₀ = 0.  ") : `t = ${t}: hₜ = tanh(W · [hₜ₋₁, xₜ] + b).  `,
      "h", h("sub", { text: String(t) }), " = [", h("span", { "data-role": "h_t", text: hs[t].map((v) => fmtFixed(v, 2, true)).join(", ") }), "]");
    svg.setAttribute("aria-label", tr("Heat maps of the inputs and hidden states up to step {t} of {T}, and bars of h at steps {prev} and {t}.",
                                     { t, T, prev: Math.max(t - 1, 0) }));
    sl.set(t);
  }
  model.on("change:t", update);
  update();
  return () => { stop(); model.off("change:t", update); };
}

export default { render };
