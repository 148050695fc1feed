// Mounts the course's widgets on the static site, with no kernel.
//
// book/_ext/course_build.py puts this file into every page that shows a widget, inside
// <script type="module">, preceded by `const MODULES = {name: "data:text/javascript;base64,..."}`:
// each widget's ES module (the same one anywidget runs in JupyterLab) inlined as a data:
// URL, because browsers refuse to import module files from file:// pages.
//
// A widget output's text/html is an inert mount point, <div class="lstm-widget"
// data-lstm-module="gate" data-state="{...}" data-volatile="{...}">. For each, the shim
// builds the `model` anywidget would pass (get, set, on, off, save_changes, send) from
// that state and calls the module's render({ model, el }).

function makeModel(state) {
  const listeners = new Map();
  const fire = (event, value) => {
    for (const cb of [...(listeners.get(event) || [])]) cb(value);
  };
  return {
    get: (name) => state[name],
    set(name, value) {
      if (state[name] === value) return;
      state[name] = value;
      fire(`change:${name}`, value);   // as a Backbone model does, at once
      fire("change", undefined);
    },
    on(event, cb) {
      for (const e of event.split(/\s+/)) {
        if (!listeners.has(e)) listeners.set(e, new Set());
        listeners.get(e).add(cb);
      }
    },
    off(event, cb) {
      for (const e of (event ? event.split(/\s+/) : [...listeners.keys()])) {
        if (!cb) listeners.delete(e);
        else listeners.get(e)?.delete(cb);
      }
    },
    save_changes() {},   // no kernel to tell
    send() {},
    widget_manager: null,
  };
}

async function mount(el) {
  const name = el.dataset.lstmModule;
  try {
    const url = MODULES[name];
    if (!url) throw new Error(`no front end for widget "${name}"`);
    const mod = await import(url);
    const widget = typeof mod.default === "function" ? await mod.default() : mod.default;
    const state = { ...JSON.parse(el.dataset.state || "{}"), ...JSON.parse(el.dataset.volatile || "{}") };
    await widget.render({ model: makeModel(state), el });
    el.dataset.mounted = "true";
  } catch (err) {
    el.dataset.mounted = "error";
    console.error(`lstm-widget ${name}:`, err);
  }
}

const pending = Array.from(document.querySelectorAll(".lstm-widget[data-lstm-module]")).map(mount);
Promise.all(pending).then(() => { document.documentElement.dataset.lstmWidgets = "mounted"; });
