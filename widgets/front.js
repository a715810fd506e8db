// The browser side of GraphView and BackwardStepper (an anywidget ESM: no build, no CDN).
//
// Python decides everything; this file only shows it. Traits (see front.py):
//   setup   once: kind ("stepper" or "graph"), views, the "details of" list, large, quiz
//   picture {layout, svg, tips}   the laid-out picture, its name, what hovering a node says
//   state   one step: marks (class -> ids), label, card, details, log tail, quiz, seq
// The page asks Python with model.send({type: "go" | "view" | "pick" | "answer" | "reveal"});
// Python answers by setting `state`. Every state seen is kept, so going back (and forward
// again over seen steps) shows at once; Python is told, so it always knows the position.

const MARKS = ["active", "done", "running", "target", "filled", "freed", "gone", "selected"];
const MAX_UPSCALE = 1.5; // "fit" never blows a 5-node graph up to huge text
const MIN_FIT = 0.45; // below this, "fit" scrolls instead of shrinking further
const PT_TO_PX = 4 / 3; // Graphviz sizes its SVG in points

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

function render({ model, el: host }) {
  const setup = model.get("setup") || {};
  // the page's own words, from Python's message table (English when none are sent)
  const say = (name, english) => (setup.words || {})[name] ?? english;
  const stepper = setup.kind === "stepper";
  const tip = setup.tooltips || {};
  const root = el("div", {
    class: "sg-root" + (setup.large ? " sg-large" : "") + (stepper ? " sg-stepper" : " sg-graphview"),
    tabindex: "0",
    "data-lm-suppress-shortcuts": "true", // Notebook 7: our keys, not the notebook's
    title: stepper ? tip.root || "" : "",
  });
  host.setAttribute("data-lm-suppress-shortcuts", "true");
  host.appendChild(root);

  // --- the controls -------------------------------------------------------------------
  const button = (text, title, action, cls = "") =>
    el("button", { type: "button", class: "sg-button " + cls, title, text, on: { click: action } });
  const row1 = el("div", { class: "sg-row sg-controls" });
  const row2 = el("div", { class: "sg-row sg-options" });
  const buttons = {};
  let slider = null, counter = null, play = null;
  if (stepper) {
    buttons.start = button(say("start", "⏮ start"), tip.start, () => go(0));
    buttons.back = button(say("back", "◀ back"), tip.back, () => go(position() - 1));
    buttons.next = button(say("next", "next ▶"), tip.next, () => go(position() + 1), "sg-primary");
    buttons.end = button(say("end", "end ⏭"), tip.end, () => go(shown ? shown.n_steps : 0));
    play = button(say("play", "▷ play"), tip.play, () => togglePlay(), "sg-play");
    slider = el("input", { type: "range", class: "sg-slider", min: "0", max: "1", value: "0",
                           step: "1", title: tip.slider, "aria-label": say("step_aria", "step") });
    slider.addEventListener("change", () => go(Number(slider.value)));
    counter = el("span", { class: "sg-counter", title: tip.counter, "aria-live": "polite" });
    for (const b of Object.values(buttons)) row1.appendChild(b);
    row1.append(play, slider, counter);
  }
  const viewButtons = {};
  const views = el("span", { class: "sg-toggle", role: "group", "aria-label": say("view_aria", "view") });
  (setup.views || []).forEach(([name, title]) => {
    viewButtons[name] = button(name, title, () => ask({ type: "view", view: name }));
    views.appendChild(viewButtons[name]);
  });
  let zoom = "fit";
  const zoomLabel = () => zoom === "fit" ? say("zoom_fit", "zoom: fit") : say("zoom_full", "zoom: 100%");
  const zoomButton = button(zoomLabel(), tip.zoom, () => {
    zoom = zoom === "fit" ? "100%" : "fit";
    zoomButton.textContent = zoomLabel();
    scale();
    focus();
  }, "sg-zoom");
  const pick = el("select", { class: "sg-pick", title: tip.pick, "aria-label": say("details_of", "details of") });
  let pickList = null;
  function fillPicks(list) { // the nodes of the view on screen
    if (!list || JSON.stringify(list) === pickList) return;
    pickList = JSON.stringify(list);
    pick.replaceChildren(...list.map(([label, id]) => el("option", { value: id, text: label })));
  }
  pick.addEventListener("change", () => ask({ type: "pick", id: pick.value }));
  const pickLabel = el("label", { class: "sg-pick-label", text: say("details_of", "details of") });
  row2.append(views, zoomButton, pickLabel, pick);

  const note = el("div", { class: "sg-note" });
  const graph = el("div", { class: "sg-graph" });
  const scroller = el("div", { class: "sg-scroll", title: "" }, graph);
  const card = el("pre", { class: "sg-card", title: tip.card || "" });
  const quiz = el("div", { class: "sg-quiz", hidden: "" });
  const details = el("pre", { class: "sg-details", title: tip.details || "" });
  const side = el("div", { class: "sg-side" }, card, quiz,
                  el("div", { class: "sg-heading", text: say("details", "details") }), details);
  const main = el("div", { class: "sg-main" }, scroller, side);
  const legend = el("div", { class: "sg-legend", text: setup.legend || "" });
  const logBox = el("pre", { class: "sg-log", title: tip.log || "" });
  const log = el("div", { class: "sg-logpanel" },
                 el("div", { class: "sg-heading", text: setup.log_heading || say("log", "log") }), logBox);
  root.append(row1, row2, note, main, legend);
  if (stepper) root.append(log);
  else card.remove();
  if (setup.hide_picks) { pick.remove(); pickLabel.remove(); }

  // quiz: a prompt, an input and two buttons (check / show me)
  const quizPrompt = el("div", { class: "sg-quiz-prompt" });
  const quizInput = el("input", { type: "text", class: "sg-quiz-input", title: tip.quiz_input,
                                  "aria-label": say("answer_aria", "your answer") });
  const quizCheck = button(say("check", "check"), tip.quiz_check, () => answer());
  const quizReveal = button(say("show_me", "show me"), tip.quiz_reveal, () => ask({ type: "reveal" }));
  const quizVerdict = el("div", { class: "sg-quiz-verdict", "aria-live": "polite" });
  quiz.append(quizPrompt, el("div", { class: "sg-row" }, quizInput, quizCheck, quizReveal), quizVerdict);
  quizInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); answer(); }
  });
  function answer() {
    if (quizInput.value.trim()) ask({ type: "answer", text: quizInput.value });
  }

  // --- what has been seen -------------------------------------------------------------
  const pictures = new Map(); // layout -> {svg, tips}
  const seen = new Map(); // view|position|selected -> state
  let shown = null; // the state on screen
  let shownLayout = null;
  let index = new Map(); // unprefixed id -> <g> in the picture on screen
  let seq = 0; // the newest request sent
  let labelled = null; // [<text>, its own text] of the edge whose label shows a value
  const keyOf = (s) => `${s.view}|${s.position}|${s.selected}`;
  const position = () => (shown ? shown.position : 0);

  function remember() {
    const picture = model.get("picture"); // one trait: a layout never arrives half
    if (picture && picture.layout && !pictures.has(picture.layout)) pictures.set(picture.layout, picture);
  }

  function ask(message) {
    seq += 1;
    root.classList.add("sg-busy");
    model.send({ ...message, seq });
  }

  function go(k) {
    if (!shown) return;
    k = Math.max(0, Math.min(k, shown.n_steps));
    if (k === shown.position) return;
    if (shown.quiz && shown.quiz.pending && k > shown.position) return; // answer first
    const cached = seen.get(keyOf({ ...shown, position: k }));
    if (cached && pictures.has(cached.layout) && !(cached.quiz && cached.quiz.pending)) {
      show(cached); // at once: no round trip; Python still hears where we are
      seq += 1;
      model.send({ type: "go", position: k, seq });
    } else {
      ask({ type: "go", position: k });
    }
  }

  function arrived() {
    remember();
    const state = model.get("state");
    if (!state || state.position === undefined) return;
    seen.set(keyOf(state), state);
    if (state.seq >= seq) {
      root.classList.remove("sg-busy");
      if (pictures.has(state.layout)) show(state);
    }
  }

  // --- showing one state ----------------------------------------------------------------
  function place(layout) {
    const picture = pictures.get(layout);
    graph.innerHTML = picture.svg; // Python's SVG: every label escaped (render.py)
    index = new Map();
    const prefix = setup.prefix || "";
    for (const g of graph.querySelectorAll("g[id]")) {
      const id = g.id.startsWith(prefix) ? g.id.slice(prefix.length) : g.id;
      index.set(id, g);
    }
    labelled = null;
    shownLayout = layout;
    fillPicks(picture.picks);
    scale();
  }

  function scale() {
    const svg = graph.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    const box = svg.viewBox.baseVal;
    const width = box.width * PT_TO_PX, height = box.height * PT_TO_PX;
    let factor = 1;
    if (zoom === "fit") {
      const room = scroller.clientWidth - 2;
      if (room > 0) factor = Math.max(MIN_FIT, Math.min(MAX_UPSCALE, room / width));
    }
    svg.setAttribute("width", `${Math.round(width * factor)}px`);
    svg.setAttribute("height", `${Math.round(height * factor)}px`);
  }

  function show(state) {
    if (state.layout !== shownLayout) place(state.layout);
    shown = state;
    const marks = state.marks || {};
    const on = new Map();
    for (const cls of MARKS) for (const id of marks[cls] || []) {
      if (!on.has(id)) on.set(id, []);
      on.get(id).push(cls);
    }
    for (const [id, g] of index) {
      const want = on.get(id) || [];
      for (const cls of MARKS) g.classList.toggle(cls, want.includes(cls));
    }
    // the gradient's value rides on the active edge's label
    if (labelled) { labelled[0].textContent = labelled[1]; labelled = null; }
    if (state.label) {
      const g = index.get(state.label.id);
      const text = g && g.querySelector("text");
      if (text) { labelled = [text, text.textContent]; text.textContent = state.label.text; }
      if (g) g.parentNode.appendChild(g); // drawn last: its longer label stays on top
    }
    // hovering a node: its name and shape (from Python), and its grad at this step
    const tips = (pictures.get(state.layout) || {}).tips || {};
    const grads = state.grads || {};
    for (const [id, base] of Object.entries(tips)) {
      const g = index.get(id);
      const title = g && g.querySelector("title");
      if (title) title.textContent = base + (id in grads ? `\n.grad: ${grads[id]}` : "");
    }
    card.textContent = state.card || "";
    details.textContent = state.details || "";
    note.textContent = state.note || "";
    note.hidden = !state.note;
    if (pick.value !== (state.selected || "")) pick.value = state.selected || "";
    for (const [name, b] of Object.entries(viewButtons)) b.classList.toggle("sg-on", name === state.view);
    if (stepper) {
      const atEnd = state.position >= state.n_steps;
      const pending = !!(state.quiz && state.quiz.pending);
      buttons.start.disabled = buttons.back.disabled = state.position === 0;
      buttons.next.disabled = buttons.end.disabled = atEnd || pending;
      slider.max = String(state.n_steps);
      slider.value = String(state.position);
      counter.textContent = say("counter", "step {position}/{n_steps}")
        .replace("{position}", state.position).replace("{n_steps}", state.n_steps);
      if (atEnd) stopPlay();
      showLog(state.log || []);
      showQuiz(state.quiz);
    }
    focus();
  }

  // the log keeps its place: it follows the newest line unless the student scrolled up
  let logFollows = true;
  logBox.addEventListener("scroll", () => {
    logFollows = logBox.scrollHeight - logBox.scrollTop - logBox.clientHeight < 8;
  });
  function showLog(lines) {
    const before = logBox.scrollTop;
    logBox.textContent = lines.length ? lines.join("\n") : say("nothing_yet", "(nothing has run yet)");
    logBox.scrollTop = logFollows ? logBox.scrollHeight : before;
  }

  function showQuiz(q) {
    quiz.hidden = !q;
    if (!q) return;
    quizPrompt.textContent = q.prompt;
    quizInput.disabled = quizCheck.disabled = quizReveal.disabled = !q.pending;
    if (q.pending && document.activeElement !== quizInput) quizInput.value = "";
    quizVerdict.textContent = q.verdict ? (q.verdict.right ? "✔ " : "✘ ") + q.verdict.message : "";
    quizVerdict.className = "sg-quiz-verdict" + (q.verdict ? (q.verdict.right ? " sg-right" : " sg-wrong") : "");
  }

  // scroll our own box (never the page) so the active edge is in view
  function focus() {
    if (!shown || !shown.focus) return;
    const target = index.get(shown.focus);
    if (!target) return;
    const box = scroller.getBoundingClientRect(), r = target.getBoundingClientRect();
    if (box.width === 0) return;
    const margin = 16;
    if (r.left < box.left + margin || r.right > box.right - margin)
      scroller.scrollLeft += r.left + r.width / 2 - (box.left + box.width / 2);
    if (r.top < box.top + margin || r.bottom > box.bottom - margin)
      scroller.scrollTop += r.top + r.height / 2 - (box.top + box.height / 2);
  }

  // --- play, keys, resizing ---------------------------------------------------------------
  let timer = null;
  function togglePlay() { timer ? stopPlay() : startPlay(); }
  function startPlay() {
    if (!shown || shown.position >= shown.n_steps) go(0);
    play.textContent = say("stop", "❚❚ stop");
    timer = setInterval(() => {
      if (!shown || shown.position >= shown.n_steps) stopPlay();
      else if (!root.classList.contains("sg-busy")) go(shown.position + 1);
    }, setup.interval || 1500);
  }
  function stopPlay() {
    if (timer) clearInterval(timer);
    timer = null;
    if (play) play.textContent = say("play", "▷ play");
  }

  root.addEventListener("keydown", (e) => {
    const tag = e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return; // typing, sliding
    if (!stepper) return;
    const onButton = tag === "BUTTON"; // Space/Enter on a button press that button
    const actions = {
      ArrowRight: () => go(position() + 1), ArrowLeft: () => go(position() - 1),
      Home: () => go(0), End: () => go(shown ? shown.n_steps : 0),
    };
    if (!onButton) actions[" "] = actions.Enter = actions.ArrowRight;
    const action = actions[e.key];
    if (action) {
      e.preventDefault();
      e.stopPropagation();
      action();
    }
  });

  function laidOut() { // first shown, or the cell changed width
    scale();
    focus();
    if (logFollows) logBox.scrollTop = logBox.scrollHeight;
  }
  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(laidOut) : null;
  if (resize) resize.observe(scroller);

  const events = ["change:state", "change:picture"];
  for (const name of events) model.on(name, arrived);
  arrived();
  return () => {
    stopPlay();
    if (resize) resize.disconnect();
    for (const name of events) model.off(name, arrived);
  };
}

export default { render };
