// The ledger entry page: "Verify in this browser".
//
// Everything is checked here, by ledger-verify.js with WebCrypto, from the evidence alone: the verifier
// key, the checkpoint's signature, the entry's inclusion proof and, when this browser saw an earlier
// checkpoint of the log, the consistency proof since. The server is never asked for a verdict (no
// POST /ledger/verify). Requests go through the console's read-only passthrough /console/api/v1/…,
// as the signed-in key (session cookie, same origin).
import { STEPS, httpFetchers, leafHash, witnessEntry } from "./ledger-verify.js";

const WITNESS_PREFIX = "parkloop.witness."; // ledger-verify.js keeps {key, size, root} per log origin here
const SEEN_PREFIX = "parkloop.ledger-page.seen."; // and this page, when it last saw that checkpoint
const ORDER = [STEPS.KEY, STEPS.CHECKPOINT, STEPS.INCLUSION, STEPS.CONSISTENCY];

const config = window.parkloopData("ledger-verify-data");
const text = config.text;
const button = document.getElementById("verify-button");
const list = document.getElementById("verify-steps");
const verdict = document.getElementById("verify-verdict");
const witnessNote = document.getElementById("verify-witness");

/** "{size} on {date}" with the values filled in (the words come translated from the server). */
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function toBase64(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function readSeen(origin) {
  try {
    return JSON.parse(localStorage.getItem(SEEN_PREFIX + origin) || "null");
  } catch (err) {
    return null;
  }
}

function localDate(iso) {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? null : when.toLocaleString(document.documentElement.lang || undefined);
}

/** What the run saw, captured on the way (for the words shown), never used to decide anything. */
function newRun() {
  return { keyText: null, checkpoint: null, leaf: null, before: null, seen: null, origin: null };
}

/** The fetchers ledger-verify.js uses, wrapped to note which step runs and what came back. */
function watchedFetchers(run, onStep) {
  const base = httpFetchers(config.api, { credentials: "same-origin" });
  const stepOf = (path) => {
    if (path.startsWith("ledger/public-key") || path.startsWith("ledger/checkpoint")) return STEPS.KEY;
    if (path.startsWith("ledger/consistency")) return STEPS.CONSISTENCY;
    return STEPS.INCLUSION;
  };
  const watched = (read) => async (path) => {
    onStep(stepOf(path));
    const response = await base.fetchText(path);
    if (response.ok) await read(path, response.clone());
    return response;
  };
  return {
    fetchText: watched(async (path, copy) => {
      if (path === "ledger/public-key") run.keyText = (await copy.text()).trim();
      if (path === "ledger/checkpoint") {
        const [origin, size, root] = (await copy.text()).split("\n");
        run.checkpoint = { origin, size, root };
      }
    }),
    fetchBytes: watched(async (path, copy) => {
      run.leaf = new Uint8Array(await copy.arrayBuffer());
    }),
  };
}

/** localStorage as ledger-verify.js sees it, noting the earlier checkpoint it reads and the one it keeps. */
function watchedStorage(run) {
  return {
    getItem(key) {
      const value = localStorage.getItem(key);
      if (key.startsWith(WITNESS_PREFIX)) {
        run.origin = key.slice(WITNESS_PREFIX.length);
        try {
          run.before = value === null ? null : JSON.parse(value);
        } catch (err) {
          run.before = null;
        }
        run.seen = readSeen(run.origin);
      }
      return value;
    },
    setItem(key, value) {
      localStorage.setItem(key, value);
      if (key.startsWith(WITNESS_PREFIX)) {
        const state = JSON.parse(value);
        localStorage.setItem(SEEN_PREFIX + key.slice(WITNESS_PREFIX.length),
          JSON.stringify({ size: state.size, root: state.root, at: new Date().toISOString() }));
      }
    },
  };
}

function keyId(keyText) {
  return keyText ? keyText.split("+").slice(0, 2).join("+") : "";
}

/** The sentence for a step that passed, in the reader's language. */
async function passedText(step, run) {
  const cp = run.checkpoint || {};
  const lastSeenDate = run.seen && run.seen.size === (run.before && run.before.size) ? localDate(run.seen.at) : null;
  switch (step) {
    case STEPS.KEY:
      return fill(run.before ? text.ok_key_pinned : text.ok_key_first, { key: keyId(run.keyText), origin: run.origin });
    case STEPS.CHECKPOINT:
      return fill(text.ok_checkpoint, { origin: cp.origin, key: keyId(run.keyText), size: cp.size, root: cp.root });
    case STEPS.INCLUSION: {
      const leaf = run.leaf ? toBase64(await leafHash(run.leaf)) : "?";
      return fill(text.ok_inclusion, { index: config.index, leaf, size: cp.size, root: cp.root });
    }
    case STEPS.CONSISTENCY: {
      const date = lastSeenDate || text.earlier_visit;
      if (run.before && String(run.before.size) === String(cp.size)) {
        return fill(text.ok_consistency_same, { date, size: cp.size, root: cp.root });
      }
      return fill(text.ok_consistency_grew, { date, size: cp.size, old_size: run.before.size, old_root: run.before.root });
    }
    default:
      return "";
  }
}

function stepItem(step) {
  const item = document.createElement("li");
  item.dataset.step = step;
  const head = document.createElement("div");
  head.className = "step-head";
  const mark = document.createElement("span");
  mark.className = "step-mark";
  mark.setAttribute("aria-hidden", "true");
  const name = document.createElement("span");
  name.className = "step-name";
  name.textContent = text.steps[step] || step;
  const id = document.createElement("span");
  id.className = "step-id";
  id.textContent = step;
  const state = document.createElement("span");
  state.className = "step-state";
  head.append(mark, name, id, state);
  const detail = document.createElement("div");
  detail.className = "step-detail";
  item.append(head, detail);
  return item;
}

function setState(item, cls, stateText, detailNodes = []) {
  item.className = cls;
  item.querySelector(".step-mark").textContent = { ok: "✓", fail: "✗", running: "…", skipped: "–" }[cls] || "·";
  item.querySelector(".step-state").textContent = stateText;
  item.querySelector(".step-detail").replaceChildren(...detailNodes);
}

function paragraph(content, cls) {
  const p = document.createElement("p");
  if (cls) p.className = cls;
  p.textContent = content;
  return p;
}

function witnessLine(run) {
  const cp = run.checkpoint || {};
  if (!run.before) return fill(text.first_visit, { origin: run.origin || cp.origin || "", size: cp.size || "?" });
  const date = run.seen && run.seen.size === run.before.size ? localDate(run.seen.at) : null;
  return fill(date ? text.last_seen : text.last_seen_unknown_date, { size: run.before.size, date });
}

async function verify() {
  button.disabled = true;
  verdict.hidden = true;
  verdict.className = "verdict";
  witnessNote.hidden = true;
  const items = new Map(ORDER.map((step) => [step, stepItem(step)]));
  list.replaceChildren(...items.values());
  for (const item of items.values()) setState(item, "waiting", text.waiting);
  const run = newRun();
  let current = null;
  const onStep = (step) => {
    // Steps run in order: a request for a later step means the earlier ones are being decided.
    if (step === current) return;
    current = step;
    setState(items.get(step), "running", text.checking);
  };
  let results;
  try {
    const { fetchText, fetchBytes } = watchedFetchers(run, onStep);
    results = await witnessEntry({ index: config.index, fetchText, fetchBytes, storage: watchedStorage(run) });
  } catch (err) {
    verdict.hidden = false;
    verdict.className = "verdict fail";
    verdict.textContent = fill(text.error, { message: err && err.message ? err.message : String(err) });
    button.disabled = false;
    button.textContent = text.again;
    return;
  }
  let failed = null;
  for (const result of results) {
    const item = items.get(result.step);
    if (result.ok) {
      setState(item, "ok", text.passed, [paragraph(await passedText(result.step, run)),
        paragraph(result.detail, "step-tech")]);
    } else {
      failed = result.step;
      setState(item, "fail", text.failed, [paragraph(text.fail_intro), paragraph(result.detail, "step-tech")]);
    }
  }
  for (const step of ORDER) {
    if (results.some((r) => r.step === step)) continue;
    // Consistency runs only against a checkpoint this browser saw before; say so rather than leave it blank.
    const firstVisit = step === STEPS.CONSISTENCY && !failed && !run.before;
    setState(items.get(step), "skipped", text.not_run, firstVisit ? [paragraph(witnessLine(run))] : []);
  }
  // A browser that saw this log before says when; on a first visit the consistency step explains instead.
  witnessNote.textContent = run.before ? witnessLine(run) : "";
  witnessNote.hidden = !run.before;
  verdict.hidden = false;
  if (failed) {
    verdict.className = "verdict fail";
    verdict.dataset.result = "fail";
    verdict.textContent = fill(text.verdict_fail, { step: text.steps[failed] || failed });
  } else {
    verdict.className = "verdict ok";
    verdict.dataset.result = "ok";
    verdict.textContent = fill(run.before ? text.verdict_ok : text.verdict_ok_first, { index: config.index });
  }
  button.disabled = false;
  button.textContent = text.again;
}

button.addEventListener("click", () => {
  verify();
});
button.disabled = false;
