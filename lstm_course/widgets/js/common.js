// Shared by every widget front end of the course (no build step, no third-party code).
//
// Each widget module starts with `import {...} from "./common.js"`. Node's test runner
// and a browser serving the files import it as it is; for anywidget and the static site,
// lstm_course/widgets/_anywidget.py joins this file and the widget's file into one module.
//
// Contents: number formatting that matches Python's format specs (so the text a widget
// shows equals the text numpy's values print as), element builders, labelled sliders
// that work by keyboard, colours from lstm_course.diagrams.THEMES as CSS variables (light
// and dark), and an SVG renderer for the plain-data geometry of lstm_course.diagrams.

export const SVG_NS = "http://www.w3.org/2000/svg";

// ---- words in the page's language ---------------------------------------------------

// Every word a widget shows goes through tr(english, values): on a page whose <html lang>
// starts with a language of this table (the Vietnamese edition of the site), the table's
// text; elsewhere (the English site, JupyterLab, Node) the English text itself, byte for
// byte. "{name}" in either text is filled from `values` (numbers already formatted).
// Keys are the English texts exactly as written in the modules; values keep the symbols
// and maths (σ(a), Cₜ, ρ) and translate the words, in the terms of
// book/locales/vi/GLOSSARY.md. tests/test_widgets_i18n.py checks every tr("...") key has
// an entry here with the same placeholders, and that no visible text escapes tr.
// The table is JSON inside (double quotes, no trailing comma): the test reads it so.
export const STRINGS = {
  "vi": {
    "gate explorer: a sigmoid gate and what passes it": "khám phá cổng: một cổng sigmoid và phần đi qua nó",
    "pre-activation a": "tiền kích hoạt a",
    "gate value σ(a)": "giá trị cổng σ(a)",
    "what passes the gate": "phần đi qua cổng",
    "grey: v (before the gate)   orange: σ(a) · v (passes)": "xám: v (trước cổng)   cam: σ(a) · v (đi qua)",
    "Left: the sigmoid with a = {a} marked at σ(a) = {g}. Right: the vector v and the share σ(a) · v that passes.": "Bên trái: đường sigmoid, đánh dấu điểm a = {a} tại σ(a) = {g}. Bên phải: vectơ v và phần σ(a) · v đi qua cổng.",

    "parameter counts of one RNN, GRU and LSTM layer": "số tham số của một tầng RNN, GRU và LSTM",
    "input size D": "kích thước đầu vào D",
    "hidden size H": "kích thước ẩn H",
    "one layer, input size D = {D}, hidden size H = {H}": "một tầng, kích thước đầu vào D = {D}, kích thước ẩn H = {H}",
    "Bars: RNN {rnn}, GRU {gru}, LSTM {lstm} parameters.": "Biểu đồ cột số tham số: RNN {rnn}, GRU {gru}, LSTM {lstm}.",

    "LSTM gate explorer: set the gates of one step by hand": "khám phá các cổng LSTM: tự đặt các cổng của một bước",
    "unit the sliders set": "đơn vị mà các thanh trượt điều chỉnh",
    "unit {n}": "đơn vị {n}",
    "f_t  forget gate": "f_t  cổng quên",
    "i_t  input gate": "i_t  cổng đầu vào",
    "C̃_t  candidate": "C̃_t  giá trị ứng viên",
    "o_t  output gate": "o_t  cổng đầu ra",
    "C_{t-1}  old state": "C_{t-1}  trạng thái cũ",
    "The LSTM cell with every arrow as wide as what flows along it for unit {n}: forget gate {f}, input gate {i}, candidate {c}, output gate {o}, old cell state {prev}; new cell state {C}.": "Ô LSTM của đơn vị {n}, mỗi mũi tên rộng bằng lượng chảy dọc theo nó: cổng quên {f}, cổng đầu vào {i}, giá trị ứng viên {c}, cổng đầu ra {o}, trạng thái ô cũ {prev}; trạng thái ô mới {C}.",
    "Bars for each unit: the old cell state, the kept and written parts, the new cell state, its tanh and h_t.": "Các cột của từng đơn vị: trạng thái ô cũ, phần được giữ lại và phần được ghi vào, trạng thái ô mới, tanh của nó và h_t.",

    "LSTM gate schedule: the cell over ten steps": "lịch trình cổng LSTM: ô LSTM qua mười bước thời gian",
    "preset": "kịch bản mẫu",
    "remember": "ghi nhớ (remember)",
    "overwrite": "ghi đè (overwrite)",
    "forget": "quên (forget)",
    "leak": "rò rỉ (leak)",
    "C₀  starting state": "C₀  trạng thái ban đầu",
    "edit step": "bước cần sửa",
    "{gate}  at that step": "{gate}  tại bước đó",
    "step t": "bước t",
    "step {t}:  Cₜ = ": "bước {t}:  Cₜ = ",
    "   after {T} steps: C = ": "   sau {T} bước: C = ",
    "Gate schedule over {T} steps (rows f, i, candidate, o) and below it the cell state C_t, from {first} to {last}, and the output h_t.": "Lịch trình cổng qua {T} bước (các hàng f, i, giá trị ứng viên, o), bên dưới là trạng thái ô C_t, từ {first} đến {last}, và đầu ra h_t.",

    "RNN state stepper: the hidden state one time step at a time": "chạy từng bước RNN: trạng thái ẩn qua từng bước thời gian",
    "▶ play": "▶ chạy",
    "❚❚ pause": "❚❚ tạm dừng",
    "time step t": "bước thời gian t",
    "inputs xₜ, entry by entry": "đầu vào xₜ, từng phần tử",
    "hidden states hₜ (blank: not computed yet)": "trạng thái ẩn hₜ (ô trống: chưa tính)",
    "grey hₜ₋₁   orange hₜ": "xám hₜ₋₁   cam hₜ",
    "entry value (−1 to 1)": "giá trị phần tử (−1 đến 1)",
    "t = 0: the initial state h₀ = 0.  ": "t = 0: trạng thái ban đầu h₀ = 0.  ",
    "Heat maps of the inputs and hidden states up to step {t} of {T}, and bars of h at steps {prev} and {t}.": "Bản đồ nhiệt của đầu vào và trạng thái ẩn đến bước {t} trong tổng số {T} bước, và các thanh của h tại bước {prev} và bước {t}.",

    "gradient through time: how the spectral radius of W_hh scales it": "gradient qua thời gian: bán kính phổ của W_hh làm nó co giãn ra sao",
    "spectral radius ρ": "bán kính phổ ρ",
    "input scale": "tỉ lệ đầu vào",
    "steps back k": "số bước lùi k",
    "solid: measured ‖∂L/∂hₜ₋ₖ‖ / ‖∂L/∂hₜ‖ (tanh RNN)   dashed: ρᵏ": "nét liền: đo được ‖∂L/∂hₜ₋ₖ‖ / ‖∂L/∂hₜ‖ (RNN tanh)   nét đứt: ρᵏ",
    "spectral radius ρ = {rho}, input scale {scale}": "bán kính phổ ρ = {rho}, tỉ lệ đầu vào {scale}",
    "after k = {T} steps back the gradient is ": "lùi k = {T} bước, gradient bằng ",
    " times its size at hₜ.": " lần độ lớn của nó tại hₜ.",
    "Log-scale curve of the gradient ratio against k from 0 to {T} for ρ = {rho}: it ends at {end}; the dashed line is ρ to the power k.": "Đường cong thang logarit của tỉ số gradient theo k từ 0 đến {T} với ρ = {rho}: nó kết thúc ở {end}; đường nét đứt là ρ mũ k.",

    "sampling temperature: the next character's distribution": "nhiệt độ lấy mẫu: phân phối của ký tự tiếp theo",
    "temperature τ": "nhiệt độ τ",
    "at τ": "tại τ",
    "at τ = 1": "tại τ = 1",
    "next character after “{prompt}”   τ = {tau}": "ký tự tiếp theo sau “{prompt}”   τ = {tau}",
    "τ = {tau}: the likeliest character ": "τ = {tau}: ký tự có khả năng cao nhất ",
    " has p = ": " có p = ",
    "; entropy ": "; entropy ",
    " nats.": " nats.",
    "(no sample stored for this temperature)": "(không có mẫu nào được lưu cho nhiệt độ này)",
    "Bars: probabilities of the {k} likeliest next characters at temperature {tau}; orange outlines: the same at temperature 1.": "Biểu đồ cột: xác suất của {k} ký tự tiếp theo có khả năng cao nhất ở nhiệt độ {tau}; viền nét đứt: cũng các xác suất đó ở nhiệt độ 1."
  }
};

/** The language of the page: "vi" on the Vietnamese site, "" where there is no document. */
export function pageLanguage() {
  const lang = typeof document !== "undefined" && document.documentElement ? document.documentElement.lang : "";
  return (lang || "").toLowerCase().split("-")[0];
}

/** `text` (English) in the page's language, "{name}" filled from `values`. */
export function tr(text, values = {}) {
  const table = STRINGS[pageLanguage()];
  const out = (table && table[text]) || text;
  return out.replace(/\{(\w+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m));
}

// ---- numbers, formatted like Python's format() -------------------------------------

// Python rounds the exact binary value half-to-even; JavaScript's toFixed and
// toExponential round an exact tie away from zero (0.125 -> "0.13", Python "0.12").
// Both work from the exact decimal digits, which toFixed(100) / toExponential(99) give.
function roundDigits(digits, keep) {
  // digits: a string of decimal digits; keep the first `keep`, rounded half-even
  const head = digits.slice(0, keep), rest = digits.slice(keep);
  const up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || Number(head[keep - 1] || 0) % 2 === 1));
  if (!up) return { head, carry: false };
  const d = head.split("");
  let i = d.length - 1;
  while (i >= 0 && d[i] === "9") d[i--] = "0";
  if (i < 0) return { head: "1" + d.join(""), carry: true };
  d[i] = String(Number(d[i]) + 1);
  return { head: d.join(""), carry: false };
}

/** Python's f"{x:.{d}f}" (with sign "+" when plus is true). */
export function fmtFixed(x, d, plus = false) {
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);   // toFixed switches to exponents from 1e21; such doubles are integers
  const [ip, fp] = ax >= 1e21 ? [BigInt(ax).toString(), "0".repeat(100)] : ax.toFixed(100).split(".");
  const { head } = roundDigits(ip + fp, ip.length + d);
  const int = head.slice(0, head.length - d) || "0", frac = head.slice(head.length - d);
  return (neg ? "-" : plus ? "+" : "") + int + (d > 0 ? "." + frac : "");
}

/** Python's f"{x:.{p}g}". */
export function fmtG(x, p) {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const [m, e] = Math.abs(x).toExponential(99).split("e");
  let { head, carry } = roundDigits(m.replace(".", ""), p);
  let exp = parseInt(e, 10);
  if (carry) { head = head.slice(0, p); exp += 1; }
  const sign = x < 0 ? "-" : "";
  const strip = (str) => (str.includes(".") ? str.replace(/0+$/, "").replace(/\.$/, "") : str);
  if (exp >= -4 && exp < p) {
    let str;
    if (exp >= 0) str = head.slice(0, exp + 1) + "." + head.slice(exp + 1);
    else str = "0." + "0".repeat(-exp - 1) + head;
    return sign + strip(str);
  }
  const ae = Math.abs(exp);
  return sign + strip(head[0] + "." + head.slice(1)) + "e" + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" + ae : String(ae));
}

/** Python's f"{n:,}" for an integer. */
export function fmtThousands(n) {
  return BigInt(Math.trunc(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// ---- elements -----------------------------------------------------------------------

export function h(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

export function s(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  if (parent) parent.append(e);
  return e;
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}-${Math.floor(Math.random() * 1e6)}`;
}

// ---- theme: the diagrams' colours as CSS variables ------------------------------------

const DARK = [
  'html[data-theme="dark"] .lstm-w',
  'body[data-jp-theme-light="false"] .lstm-w',
];

function vars(theme) {
  return Object.entries(theme).map(([k, v]) => `--lw-${k.replace(/_/g, "-")}: ${v};`).join(" ");
}

// Frames (the cell's box, a plot's frame, the current step's shade) are drawn in the theme's
// "muted" colour, not its module_edge: module_edge is a face colour in the figures and stays
// under 3:1 against the background in both themes (WCAG's minimum for lines).
const FRAME = "--lw-frame: var(--lw-muted);";

/** The widgets' style sheet, once per document; `themes` is diagrams.THEMES. */
export function ensureStyle(themes) {
  if (typeof document === "undefined" || document.getElementById("lstm-widget-style")) return;
  const css = `
.lstm-w { ${vars(themes.light)} ${FRAME} color: var(--lw-ink); background: var(--lw-background);
  font-family: system-ui, sans-serif; font-size: 0.95rem; max-width: 720px; box-sizing: border-box;
  padding: 0.5rem; border-radius: 6px; }
${DARK.join(", ")} { ${vars(themes.dark)} }
@media (prefers-color-scheme: dark) { html:not([data-theme]) .lstm-w { ${vars(themes.dark)} } }
.lstm-w * { box-sizing: border-box; }
.lstm-w .lw-controls { display: flex; flex-direction: column; gap: 0.25rem; margin-bottom: 0.4rem; }
.lstm-w .lw-row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.lstm-w label.lw-label { min-width: 6.5rem; }
.lstm-w input[type=range] { flex: 1 1 10rem; min-width: 8rem; max-width: 420px; accent-color: var(--lw-layer-edge); }
.lstm-w input[type=range]:focus-visible, .lstm-w button:focus-visible, .lstm-w select:focus-visible,
.lstm-w input[type=radio]:focus-visible { outline: 3px solid var(--lw-highlight); outline-offset: 2px; }
.lstm-w output { font-variant-numeric: tabular-nums; min-width: 3.5rem; }
.lstm-w .lw-summary { margin: 0.3rem 0; }
.lstm-w svg { display: block; width: 100%; height: auto; max-width: 700px; }
.lstm-w svg text { fill: var(--lw-ink); font-family: "DejaVu Sans", system-ui, sans-serif; }
.lstm-w button, .lstm-w select { color: inherit; background: var(--lw-module-face);
  border: 1px solid var(--lw-module-edge); border-radius: 4px; padding: 0.15rem 0.6rem; font: inherit; }
.lstm-w fieldset { border: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.6rem; }
.lstm-w legend { float: left; min-width: 6.5rem; padding: 0; margin: 0; width: auto; font-size: inherit; font-weight: normal; }
.lstm-w pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9em; margin: 0.3rem 0; }
`;
  document.head.append(h("style", { id: "lstm-widget-style", text: css }));
}

/** The widget's root element inside `el`, labelled for screen readers. */
export function root(el, themes, label) {
  ensureStyle(themes);
  const r = h("div", { class: "lstm-w", role: "group", "aria-label": label });
  // JupyterLab's shortcuts would swallow arrow keys (and more) on our controls
  r.addEventListener("keydown", (e) => e.stopPropagation());
  el.replaceChildren(r);
  return r;
}

/**
 * A labelled range input with its value shown in an <output>. `onInput(value)` runs on
 * every change (pointer or keyboard). Returns {input, output, set(value)}.
 */
export function slider(parent, { name, label, min, max, step, value, format, onInput }) {
  const id = nextId(`lw-${name}`);
  const input = h("input", { type: "range", id, min, max, step, value, "data-name": name });
  const output = h("output", { for: id, "aria-hidden": "true" });
  const show = (v) => {
    output.textContent = format(v);
    input.setAttribute("aria-valuetext", format(v));
  };
  show(value);
  input.addEventListener("input", () => {
    const v = Number(input.value);
    show(v);
    onInput(v);
  });
  parent.append(h("div", { class: "lw-row" }, [h("label", { for: id, class: "lw-label", text: label }), input, output]));
  return {
    input, output,
    set(v) { input.value = v; show(Number(input.value)); },
  };
}

/** A legend entry in `svg`: a swatch (`mark`, in `colour`) and `label` in the text colour. */
export function legendText(svg, attrs, mark, colour, label) {
  const t = s("text", attrs, svg);
  s("tspan", { style: `fill: ${colour}` }, t).textContent = mark;
  t.append(` ${label}`);
  return t;
}

// ---- maths text (matplotlib mathtext subset) as SVG tspans -------------------------------

const SYMBOLS = {
  "\\sigma": "σ", "\\tanh": "tanh", "\\times": "×", "\\cdot": "·", "\\rho": "ρ", "\\tau": "τ",
  "\\partial": "∂", "\\|": "‖",
};

/** Fill an SVG <text> with mathtext such as "$\\tilde{C}_{t-1}$": sub/superscripts as tspans. */
export function mathText(textEl, src) {
  let t = src.replace(/\$/g, "");
  t = t.replace(/\\tilde\{(\w)\}/g, "$1\u0303");
  for (const [k, v] of Object.entries(SYMBOLS)) t = t.split(k).join(v);
  t = t.replace(/\\[,;! ]/g, " ").replace(/[{}](?![^_^]*[_^])/g, (c) => c);
  textEl.replaceChildren();
  let i = 0;
  let base = "";
  const flush = () => { if (base) { s("tspan", {}, textEl).textContent = base; base = ""; } };
  while (i < t.length) {
    const c = t[i];
    if (c === "_" || c === "^") {
      flush();
      let arg;
      if (t[i + 1] === "{") {
        let depth = 0, j = i + 1;
        for (; j < t.length; j++) {
          if (t[j] === "{") depth++;
          else if (t[j] === "}" && --depth === 0) break;
        }
        arg = t.slice(i + 2, j);
        i = j + 1;
      } else {
        arg = t[i + 1] || "";
        i += 2;
      }
      const sub = c === "_";
      const span = s("tspan", { "baseline-shift": sub ? "sub" : "super", "font-size": "70%" }, textEl);
      span.textContent = arg.replace(/[{}]/g, "");
      s("tspan", { "font-size": "100%" }, textEl).textContent = "\u200b";
      continue;
    }
    if (c !== "{" && c !== "}") base += c;
    i += 1;
  }
  flush();
  return textEl;
}

// ---- the diagrams' geometry as SVG -------------------------------------------------------

// lstm_course.diagrams.STYLE, in geometry units: one unit is unit_in inches = 72 * unit_in pt
export function diagramStyle(style) {
  const pt = 1 / (72 * style.unit_in);
  return { ...style, pt };
}

function edgeShapes(e, headScale, style) {
  // as diagrams._edge_shapes: the line ends under the arrowhead; gaps break the line
  const pts = e.points.map((p) => p.slice());
  let head = null;
  if (e.head) {
    const k = e.style === "cell" || e.style === "mark" ? 1.25 : 1.0;   // as diagrams.builder.head_size
    const len = style.head_len * k * headScale, half = style.head_half * k * headScale;
    const tip = pts[pts.length - 1], prev = pts[pts.length - 2];
    let dx = tip[0] - prev[0], dy = tip[1] - prev[1];
    const n = Math.hypot(dx, dy);
    dx /= n; dy /= n;
    const bx = tip[0] - dx * len, by = tip[1] - dy * len;
    head = [tip, [bx - dy * half, by + dx * half], [bx + dy * half, by - dx * half]];
    pts[pts.length - 1] = [tip[0] - dx * len * 0.6, tip[1] - dy * len * 0.6];
  }
  // split into runs at gaps
  let runs = [pts];
  for (const [gx, gy] of e.gaps || []) {
    const next = [];
    for (const run of runs) {
      let cur = [run[0]];
      for (let i = 1; i < run.length; i++) {
        const a = run[i - 1], b = run[i];
        const dx = b[0] - a[0], dy = b[1] - a[1], seg = Math.hypot(dx, dy);
        const t = seg ? ((gx - a[0]) * dx + (gy - a[1]) * dy) / (seg * seg) : -1;
        const on = seg && t > 0 && t < 1 && Math.abs(dx * (gy - a[1]) - dy * (gx - a[0])) / seg < 1e-6;
        if (on) {
          const ux = dx / seg, uy = dy / seg, g = style.gap_half;
          cur.push([gx - ux * g, gy - uy * g]);
          next.push(cur);
          cur = [[gx + ux * g, gy + uy * g]];
        }
        cur.push(b);
      }
      next.push(cur);
    }
    runs = next;
  }
  return { runs, head };
}

const COLOURS = { cell: "var(--lw-cell)", peep: "var(--lw-peephole)", mark: "var(--lw-highlight)" };
const colourOf = (style) => COLOURS[style] || "var(--lw-ink)";

/**
 * Draw a geometry dict (lstm_course.diagrams.geometry) into a new <svg>. Returns
 * {svg, setFlows(flows)}; setFlows follows diagrams.update_flows: an edge's width is
 * base * (0.35 + 1.9 v), its arrowhead max(1, 0.55 + 0.5 width); its opacity is 0.5 + 0.5 v (the
 * figures fade to 0.3 + 0.7 v: here the faintest arrow keeps 3:1 against the background in both
 * themes, a floor the browser suite checks in dark mode).
 */
/** [stroke, base stroke width] of every edge drawDiagram draws for `geom` (the tests compare
 * them with diagrams.render's colours and widths). */
export function drawnEdges(geom, style) {
  const { svg } = drawDiagram(geom, style);
  return [...svg.querySelectorAll("g[data-edge] > path")].map((p) =>
    [p.getAttribute("stroke"), parseFloat(p.dataset.base)]);
}

export function drawDiagram(geom, style, flowKeys = {}, label = "") {
  const st = diagramStyle(style);
  const [x0, x1, y0, y1] = geom.extent;
  const Y = (y) => (y1 - y + y0);            // y up in the geometry, down in SVG
  const svg = s("svg", { viewBox: `${x0} ${y0} ${x1 - x0} ${y1 - y0}`, role: "img", "aria-label": label,
                         class: "lw-diagram" });
  const P = (p) => `${p[0]},${Y(p[1])}`;
  // back to front, as the figures' z-order: module boxes, edges, dots, nodes, labels
  const gModules = s("g", {}, svg), gEdges = s("g", {}, svg), gDots = s("g", {}, svg);
  const gNodes = s("g", {}, svg), gLabels = s("g", {}, svg);
  for (const m of geom.modules) {
    s("rect", { x: m.x0, y: Y(m.y1), width: m.x1 - m.x0, height: m.y1 - m.y0, rx: 0.45,
                fill: "var(--lw-module-face)", stroke: "var(--lw-frame)",
                "stroke-width": style.module_lw * st.pt, opacity: m.faded ? style.faded_alpha : 1 }, gModules);
  }
  const edges = {};
  for (const e of geom.edges) {
    // as diagrams.render._draw_edge: a marked arrow is as wide as the cell state's
    let base = e.style === "cell" || e.style === "mark" ? style.cell_lw : style.line_lw;
    if (e.style === "peep") base = style.line_lw * 0.9;
    const g = s("g", { "data-edge": e.name, opacity: e.faded ? style.faded_alpha : 1 }, gEdges);
    const path = s("path", { fill: "none", stroke: colourOf(e.style), "stroke-linejoin": "miter",
                             "stroke-dasharray": e.style === "peep" ? "0.19 0.1" : null }, g);
    const head = e.head ? s("polygon", { fill: colourOf(e.style) }, g) : null;
    const item = { e, g, path, head, base: base * st.pt, alpha: e.faded ? style.faded_alpha : 1 };
    path.dataset.base = String(item.base);
    const shape = (width, headScale) => {
      const { runs, head: tri } = edgeShapes(e, headScale, style);
      path.setAttribute("d", runs.map((r) => "M" + r.map(P).join("L")).join(""));
      path.setAttribute("stroke-width", item.base * width);
      if (head) head.setAttribute("points", tri.map(P).join(" "));
    };
    item.shape = shape;
    shape(1, 1);
    edges[e.name] = item;
  }
  for (const d of geom.dots) {
    const r = style.dot_r * (d.style === "cell" ? 1.35 : 1);
    s("circle", { cx: d.x, cy: Y(d.y), r, fill: colourOf(d.style), opacity: d.faded ? style.faded_alpha : 1 }, gDots);
  }
  for (const n of geom.nodes) {
    const layer = n.kind === "layer";
    const face = layer ? "var(--lw-layer-face)" : "var(--lw-op-face)";
    const edge = layer ? "var(--lw-layer-edge)" : "var(--lw-op-edge)";
    const ink = layer ? "var(--lw-layer-text)" : "var(--lw-op-text)";
    const common = { fill: face, stroke: edge, "stroke-width": style.edge_lw * st.pt, opacity: n.faded ? style.faded_alpha : 1 };
    if (n.kind === "op") s("circle", { cx: n.x, cy: Y(n.y), r: n.w / 2, ...common }, gNodes);
    else s("rect", { x: n.x - n.w / 2, y: Y(n.y) - n.h / 2, width: n.w, height: n.h,
                     rx: layer ? 0.12 : n.h / 2, ...common }, gNodes);
    if (n.text) {
      let pt = n.kind === "op" ? style.op_pt : style.node_pt;
      if (n.kind !== "op" && n.text.replace(/\$/g, "").length > 2) pt *= style.word_scale;
      const t = s("text", { x: n.x, y: Y(n.y), "text-anchor": "middle", "dominant-baseline": "central",
                            "font-size": pt * st.pt, style: `fill: ${ink}` }, gNodes);
      mathText(t, n.text);
    }
  }
  const sizes = { label: style.label_pt, small: style.label_pt * 0.9, equation: style.equation_pt,
                  caption: style.caption_pt, big: style.module_label_pt };
  for (const lab of geom.labels) {
    const anchor = { left: "start", right: "end", center: "middle" }[lab.ha] || "middle";
    const base = { top: "hanging", bottom: "alphabetic", center: "central", baseline: "alphabetic" }[lab.va] || "central";
    const t = s("text", { x: lab.x, y: Y(lab.y), "text-anchor": anchor, "dominant-baseline": base,
                          "font-size": sizes[lab.size] * st.pt,
                          style: lab.color === "muted" ? "fill: var(--lw-muted)" : null }, gLabels);
    mathText(t, lab.text);
  }
  function setFlows(flows) {
    for (const [key, value] of Object.entries(flows)) {
      const v = Math.min(1, Math.max(0, value));
      for (const name of flowKeys[key] || []) {
        const item = edges[name];
        if (!item) continue;
        const width = 0.35 + 1.9 * v;
        item.g.setAttribute("opacity", item.alpha * (0.5 + 0.5 * v));
        item.shape(width, Math.max(1, 0.55 + 0.5 * width));
        item.g.setAttribute("data-flow", v.toFixed(4));
      }
    }
  }
  return { svg, edges, setFlows };
}

// ---- small charts -------------------------------------------------------------------------

/** A linear scale [d0, d1] -> [r0, r1]. */
export function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export function sigmoid(a) {
  // as lstm_course.activations.sigmoid: no overflow for large |a|
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** explorer.cell_step for one unit (numbers). */
export function cellStep(f, i, cTilde, o, cPrev) {
  const kept = f * cPrev;            // what the forget gate lets through
  const written = i * cTilde;        // what the input gate adds
  const C = kept + written;          // C_t = f_t * C_{t-1} + i_t * C~_t
  const tanhC = Math.tanh(C);
  return { C, tanh_C: tanhC, h: o * tanhC, kept, written };
}
