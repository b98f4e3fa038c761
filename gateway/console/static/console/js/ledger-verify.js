/**
 * ledger-verify.js: the park manager's browser as a witness of the ParkLoop ledger.
 *
 * The server already audits itself (POST /ledger/verify), but a log that checks only itself
 * proves nothing to the people it reports on. This module re-derives every verdict in the
 * browser from the evidence alone, with nothing but WebCrypto (SHA-256, Ed25519):
 *
 *   1. the verifier key   C2SP signed-note key `name+keyhash+base64(0x01 ‖ Ed25519 key)`
 *   2. the checkpoint     C2SP tlog-checkpoint, signed as a C2SP signed note
 *   3. inclusion          RFC 9162 §2.1.3.2, of the exact bytes GET ledger/entries/{i} serves
 *   4. consistency        RFC 9162 §2.1.4.2, from the last checkpoint this browser saw
 *
 * and, as a witness, remembers per log (origin) the first key and the last checkpoint it
 * accepted, so a changed key, a shrunk log or a rewritten history is noticed on the next visit.
 *
 * Plain ES module, no dependencies, no build step. WebCrypto exists only in secure contexts:
 * the page must come over HTTPS (or from localhost).
 *
 * Every exported check throws a `VerifyError` whose `step` is one of `STEPS` and whose
 * `detail` says what was expected and what was computed.
 */

/** The names of the four checks, as shown to the user and carried by every error. */
export const STEPS = Object.freeze({
  KEY: "verifier key",
  CHECKPOINT: "checkpoint signature",
  INCLUSION: "inclusion proof",
  CONSISTENCY: "consistency proof",
});

/** A check failed; `step` names which one, `detail` says why in words a person can act on. */
export class VerifyError extends Error {
  /**
   * @param {string} step one of STEPS
   * @param {string} detail what was expected and what was found
   */
  constructor(step, detail) {
    super(`${step}: ${detail}`);
    this.name = "VerifyError";
    this.step = step;
    this.detail = detail;
  }
}

const HASH_SIZE = 32;
const ALG_ED25519 = 0x01;
const SIGNATURE_PREFIX = "\u2014 "; // "— " (EM DASH, space) starts every signature line
const MAX_SIGNATURES = 100; // as golang.org/x/mod/sumdb/note: bound a hostile note's cost
const STORAGE_PREFIX = "parkloop.witness.";

// ---------------------------------------------------------------------------------------------
// Small helpers: bytes, base64, hashing

const utf8 = new TextEncoder();

/** Run `body`; any error it throws leaves as a VerifyError of `step`, so callers always learn which check failed. */
async function underStep(step, body) {
  try {
    return await body();
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    throw new VerifyError(step, err && err.message ? err.message : String(err));
  }
}

function subtle() {
  // Browsers hide crypto.subtle outside secure contexts; say so instead of "undefined is not a function".
  const s = globalThis.crypto && globalThis.crypto.subtle;
  if (!s) throw new Error("WebCrypto (crypto.subtle) is unavailable: serve the console over HTTPS or from localhost");
  return s;
}

async function sha256(...parts) {
  return new Uint8Array(await subtle().digest("SHA-256", concat(...parts)));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function toBase64(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard padded base64, and only its one canonical spelling: two spellings of the same
 * bytes would let two byte-different documents claim the same content.
 */
function fromBase64(text, what) {
  if (typeof text !== "string" || !BASE64.test(text)) {
    throw new Error(`${what} is not standard padded base64: ${JSON.stringify(text)}`);
  }
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (toBase64(bytes) !== text) throw new Error(`${what} is not the canonical base64 of its bytes: ${text}`);
  return bytes;
}

function hashFromBase64(text, what) {
  const bytes = fromBase64(text, what);
  if (bytes.length !== HASH_SIZE) {
    throw new Error(`${what} is ${bytes.length} bytes, not a ${HASH_SIZE}-byte SHA-256 hash`);
  }
  return bytes;
}

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "string") return utf8.encode(data);
  throw new Error(`expected bytes, got ${Object.prototype.toString.call(data)}`);
}

function isSize(n) {
  return Number.isSafeInteger(n) && n >= 0;
}

// ---------------------------------------------------------------------------------------------
// 1. The verifier key

/** The spec's key name rule: non-empty, no '+', no space, no control character. */
function isValidName(name) {
  return name.length > 0 && !name.includes("+") && !/[\s\u0000-\u001f\u007f]/u.test(name);
}

/**
 * Key hash of a C2SP verifier key: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
 * @param {string} name
 * @param {Uint8Array} publicKey 32 bytes
 * @returns {Promise<Uint8Array>} 4 bytes
 */
async function keyHash(name, publicKey) {
  const digest = await sha256(utf8.encode(name + "\n"), Uint8Array.of(ALG_ED25519), publicKey);
  return digest.slice(0, 4);
}

/**
 * Parse a C2SP signed-note verifier key and check that its key hash matches its name and key.
 *
 * @param {string} text e.g. "parkloop.local/ledger+4b6f91a8+Aa0N…" (surrounding whitespace ignored)
 * @returns {Promise<{name: string, keyHashHex: string, publicKey: Uint8Array, text: string}>}
 *   `text` is the canonical spelling, fit for pinning and comparing.
 * @throws {VerifyError} step "verifier key"
 */
export function parseVerifierKey(text) {
  return underStep(STEPS.KEY, async () => {
    if (typeof text !== "string") throw new Error("the verifier key is not text");
    const trimmed = text.trim();
    // The name holds no '+', but base64 may: split at the first two only.
    const first = trimmed.indexOf("+");
    const second = trimmed.indexOf("+", first + 1);
    if (first < 0 || second < 0) {
      throw new Error(`expected name+keyhash+base64key, got ${JSON.stringify(trimmed)}`);
    }
    const name = trimmed.slice(0, first);
    const hexId = trimmed.slice(first + 1, second);
    if (!isValidName(name)) throw new Error(`invalid key name ${JSON.stringify(name)}`);
    if (!/^[0-9a-f]{8}$/i.test(hexId)) throw new Error(`key hash ${JSON.stringify(hexId)} is not 8 hex digits`);
    const raw = fromBase64(trimmed.slice(second + 1), "the key");
    if (raw.length !== 33 || raw[0] !== ALG_ED25519) {
      throw new Error("expected an Ed25519 key (0x01 then 32 bytes), " +
        `got ${raw.length} bytes starting 0x${toHex(raw.slice(0, 1))}`);
    }
    const publicKey = raw.slice(1);
    const computed = toHex(await keyHash(name, publicKey));
    if (computed !== hexId.toLowerCase()) {
      throw new Error(`the key says its hash is ${hexId}, ` +
        `but SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key) begins ${computed}: ` +
        "the name or the key was altered");
    }
    await importEd25519(publicKey); // refuse bytes WebCrypto cannot use now, not halfway through the checkpoint
    return { name, keyHashHex: computed, publicKey, text: `${name}+${computed}+${toBase64(raw)}` };
  });
}

async function importEd25519(publicKey) {
  const webCrypto = subtle(); // outside the try: a missing WebCrypto is not the key's fault
  try {
    return await webCrypto.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch (err) {
    throw new VerifyError(STEPS.KEY, `the key bytes are not a usable Ed25519 public key (${err.message})`);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. The checkpoint

/** Split a signed note into its signed text and its signature lines, strictly as the spec lays it out. */
function splitNote(note) {
  if (typeof note !== "string") throw new Error("the checkpoint is not text");
  if (note.isWellFormed && !note.isWellFormed()) throw new Error("the checkpoint is not valid Unicode");
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) {
    throw new Error("a signed note holds no control character but newline");
  }
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) {
    throw new Error("expected the checkpoint text, a blank line, then signature lines each ending in a newline");
  }
  const lines = note.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) {
    throw new Error(`a note carries at most ${MAX_SIGNATURES} signatures, this one ${lines.length}`);
  }
  return { text: note.slice(0, split + 1), lines };
}

function parseSignatureLine(line) {
  const rest = line.startsWith(SIGNATURE_PREFIX) ? line.slice(SIGNATURE_PREFIX.length) : null;
  const space = rest === null ? -1 : rest.indexOf(" ");
  if (space < 0) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
  const name = rest.slice(0, space);
  const blob = fromBase64(rest.slice(space + 1), `the signature by ${name}`);
  if (!isValidName(name) || blob.length < 5) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
  return { name, keyHashHex: toHex(blob.slice(0, 4)), signature: blob.slice(4) };
}

async function ed25519Verify(publicKey, signature, message) {
  return subtle().verify({ name: "Ed25519" }, await importEd25519(publicKey), signature, message);
}

/** The checkpoint body per c2sp.org/tlog-checkpoint: origin, decimal size, base64 root, extension lines. */
function parseCheckpointBody(text) {
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split("\n");
  if (rootText === undefined) throw new Error("a checkpoint has an origin line, a size line and a root line");
  if (!origin) throw new Error("the checkpoint's origin line is empty");
  // One spelling per number: "05" and "5" must not both name the same tree.
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !isSize(Number(sizeText))) {
    throw new Error(`tree size ${JSON.stringify(sizeText)} is not a decimal without leading zeros`);
  }
  hashFromBase64(rootText, "the root hash line");
  if (extensions.some((line) => !line)) throw new Error("checkpoint extension lines must not be empty");
  return { origin, size: Number(sizeText), rootB64: rootText };
}

/**
 * Verify a signed checkpoint against a verifier key and read it.
 *
 * As the signed-note spec asks: signatures by other keys are ignored, a signature by this key
 * that fails rejects the note, and a note with no signature by this key is rejected too.
 *
 * @param {string} noteText the body of GET ledger/checkpoint
 * @param {string} keyText the body of GET ledger/public-key
 * @returns {Promise<{origin: string, size: number, rootB64: string}>}
 * @throws {VerifyError} step "verifier key" (bad key) or "checkpoint signature"
 */
export async function verifyCheckpoint(noteText, keyText) {
  const key = await parseVerifierKey(keyText);
  return underStep(STEPS.CHECKPOINT, async () => {
    const { text, lines } = splitNote(noteText);
    const keyId = `${key.name}+${key.keyHashHex}`;
    const seen = [];
    let verified = false;
    for (const line of lines) {
      const sig = parseSignatureLine(line);
      seen.push(`${sig.name}+${sig.keyHashHex}`);
      if (sig.name !== key.name || sig.keyHashHex !== key.keyHashHex) continue;
      if (!(await ed25519Verify(key.publicKey, sig.signature, utf8.encode(text)))) {
        throw new VerifyError(STEPS.CHECKPOINT, `the signature by ${keyId} does not verify over the checkpoint text ` +
          `(${JSON.stringify(text)}): the text (origin, size or root) or the signature was altered`);
      }
      verified = true;
    }
    if (!verified) {
      throw new VerifyError(STEPS.CHECKPOINT,
        `expected a signature by ${keyId}, found signatures by ${seen.join(", ")}`);
    }
    return parseCheckpointBody(text);
  });
}

// ---------------------------------------------------------------------------------------------
// 3 and 4. RFC 9162 Merkle proofs

const isOdd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2); // not `>> 1`: tree sizes may pass 2^31

function nodeHash(left, right) {
  return sha256(Uint8Array.of(0x01), left, right);
}

/**
 * RFC 9162 leaf hash, SHA-256(0x00 ‖ leaf bytes); the 0x00 keeps a leaf from posing as a node.
 * @param {Uint8Array|ArrayBuffer|string} leaf the exact entry bytes (a string is taken as its UTF-8)
 * @returns {Promise<Uint8Array>}
 */
export function leafHash(leaf) {
  return underStep(STEPS.INCLUSION, () => sha256(Uint8Array.of(0x00), asBytes(leaf)));
}

/** Parse a proof body (JSON text or object) and decode its hashes. */
function readProof(proof, fields) {
  const p = typeof proof === "string" ? JSON.parse(proof) : proof;
  if (!p || typeof p !== "object" || !Array.isArray(p.hashes)) {
    throw new Error('expected a proof object with a "hashes" list');
  }
  for (const f of fields) {
    if (!isSize(p[f])) throw new Error(`the proof's "${f}" is ${JSON.stringify(p[f])}, not a non-negative integer`);
  }
  return { ...p, hashes: p.hashes.map((h, i) => hashFromBase64(h, `proof hash ${i}`)) };
}

/** How many hashes the RFC's PATH(index, D[size]) holds: the §2.1.3.2 walk, minus the hashing. */
function inclusionPathLength(index, size) {
  let fn = index;
  let sn = size - 1;
  let n = 0;
  while (sn !== 0) {
    if (!isOdd(fn) && fn === sn) {
      while (fn !== 0 && !isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
    }
    [fn, sn] = [half(fn), half(sn)];
    n += 1;
  }
  return n;
}

/**
 * Verify that a leaf is in the tree a checkpoint signs (RFC 9162 §2.1.3.2).
 *
 * @param {object} args
 * @param {number} args.index the entry index that was asked for
 * @param {Uint8Array|ArrayBuffer|string} args.leaf the exact bytes of GET ledger/entries/{index}
 * @param {string|{index:number, tree_size:number, hashes:string[]}} args.proof body of GET …/proof?tree_size=N
 * @param {{size:number, rootB64:string}} args.checkpoint as returned by verifyCheckpoint
 * @returns {Promise<{index: number, treeSize: number, leafHashB64: string}>}
 * @throws {VerifyError} step "inclusion proof"
 */
export function verifyInclusion({ index, leaf, proof, checkpoint }) {
  return underStep(STEPS.INCLUSION, async () => {
    const size = checkpoint.size;
    const root = hashFromBase64(checkpoint.rootB64, "the checkpoint root");
    if (!isSize(index) || index >= size) throw new Error(`entry ${index} is not in the signed tree of size ${size}`);
    const p = readProof(proof, ["index", "tree_size"]);
    if (p.index !== index || p.tree_size !== size) {
      throw new Error(`expected a proof for entry ${index} in the tree of size ${size}, ` +
        `got one for entry ${p.index} in size ${p.tree_size}`);
    }
    const wanted = inclusionPathLength(index, size);
    if (p.hashes.length !== wanted) {
      throw new Error(`a proof for entry ${index} in a tree of size ${size} has ${wanted} hashes, ` +
        `this one has ${p.hashes.length}`);
    }
    const leafH = await leafHash(leaf);
    const computed = await inclusionRoot(index, size, leafH, p.hashes);
    if (!equalBytes(computed, root)) {
      throw new Error(`expected root ${checkpoint.rootB64} (signed checkpoint, size ${size}), computed root ` +
        `${toBase64(computed)} from entry ${index} (leaf hash ${toBase64(leafH)}) and its proof: ` +
        "the entry or the proof differs from what was signed");
    }
    return { index, treeSize: size, leafHashB64: toBase64(leafH) };
  });
}

/** The root that leaf hash `r` and its audit path lead to, per RFC 9162 §2.1.3.2 step by step. */
async function inclusionRoot(index, size, leafH, path) {
  let fn = index;
  let sn = size - 1;
  let r = leafH;
  for (const p of path) {
    if (sn === 0) throw new Error("the proof is longer than the tree is deep");
    if (isOdd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      // We are a right child (or the last node): climb past the levels where we are a left child with no sibling.
      while (fn !== 0 && !isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = await nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) throw new Error("the proof is shorter than the tree is deep");
  return r;
}

/** How many hashes the RFC's PROOF(m, D[n]) holds (0 < m < n): the §2.1.4.2 walk, minus the hashing. */
function consistencyProofLength(m, n) {
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
  let steps = 0;
  while (sn !== 0) {
    if (isOdd(fn) || fn === sn) {
      while (fn !== 0 && !isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
    }
    [fn, sn] = [half(fn), half(sn)];
    steps += 1;
  }
  // The walk consumes one hash per step after the first; a power-of-two m brings that first one itself (its root).
  return isPowerOfTwo(m) ? steps : steps + 1;
}

function isPowerOfTwo(n) {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/**
 * Verify that the newer tree extends the older one: same first `older.size` leaves, in order
 * (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots; a smaller newer tree
 * means the log shrank, which no proof can excuse.
 *
 * @param {object} args
 * @param {{size:number, rootB64:string}} args.older a checkpoint seen earlier (size at least 1)
 * @param {{size:number, rootB64:string}} args.newer the current checkpoint
 * @param {string|{from:number, to:number, hashes:string[]}} [args.proof] body of GET ledger/consistency?from=…&to=…
 *   (not needed when the sizes are equal)
 * @returns {Promise<{from: number, to: number}>}
 * @throws {VerifyError} step "consistency proof"
 */
export function verifyConsistency({ older, newer, proof }) {
  return underStep(STEPS.CONSISTENCY, async () => {
    const [m, n] = [older.size, newer.size];
    const oldRoot = hashFromBase64(older.rootB64, "the older root");
    const newRoot = hashFromBase64(newer.rootB64, "the newer root");
    if (!isSize(m) || m < 1) throw new Error(`the older tree size must be at least 1, got ${m}`);
    if (m > n) {
      throw new Error(`the log shrank: a checkpoint of size ${m} (root ${older.rootB64}) was seen before, ` +
        `the ledger now signs size ${n}`);
    }
    const p = proof === undefined && m === n ? { from: m, to: n, hashes: [] } : readProof(proof, ["from", "to"]);
    if (p.from !== m || p.to !== n) {
      throw new Error(`expected a proof from size ${m} to size ${n}, got one from ${p.from} to ${p.to}`);
    }
    if (m === n) {
      if (p.hashes.length) {
        throw new Error(`a proof between equal sizes is empty, this one has ${p.hashes.length} hashes`);
      }
      if (!equalBytes(oldRoot, newRoot)) {
        throw new Error(`two different roots were signed for size ${m}: ${older.rootB64} seen before, ` +
          `${newer.rootB64} now; the ledger shows different histories to different viewers`);
      }
      return { from: m, to: n };
    }
    const wanted = consistencyProofLength(m, n);
    if (p.hashes.length !== wanted) {
      throw new Error(`a proof from size ${m} to size ${n} has ${wanted} hashes, this one has ${p.hashes.length}`);
    }
    const [fr, sr] = await consistencyRoots(m, n, oldRoot, p.hashes);
    if (!equalBytes(fr, oldRoot)) {
      throw new Error(`expected the older root ${older.rootB64} (size ${m}), ` +
        `computed ${toBase64(fr)} from the proof: ` +
        `the first ${m} entries are not the ones signed before; history was rewritten`);
    }
    if (!equalBytes(sr, newRoot)) {
      throw new Error(`expected the current root ${newer.rootB64} (size ${n}), ` +
        `computed ${toBase64(sr)} from the proof: ` +
        `the size-${n} tree does not extend the size-${m} tree`);
    }
    return { from: m, to: n };
  });
}

/** [root of the first m leaves, root of all n] as the proof rebuilds them, per RFC 9162 §2.1.4.2 steps 2 to 6. */
async function consistencyRoots(m, n, oldRoot, hashes) {
  // A power-of-two old tree is itself a node of the new one, so the proof leaves it out.
  const path = isPowerOfTwo(m) ? [oldRoot, ...hashes] : hashes;
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error("the proof is longer than the trees are deep");
    if (isOdd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn !== 0 && !isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = await nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) throw new Error("the proof is shorter than the trees are deep");
  return [fr, sr];
}

// ---------------------------------------------------------------------------------------------
// The witness: fetch, check everything, remember

/** Read a fetcher's answer as text, accepting a string or a fetch Response. */
async function answerText(answer, path) {
  if (typeof answer === "string") return answer;
  if (answer instanceof Response) return (await okResponse(answer, path)).text();
  throw new Error(`GET ${path} gave neither text nor a Response`);
}

/** Read a fetcher's answer as bytes: the leaf hash commits to bytes, so no text decoding in between. */
async function answerBytes(answer, path) {
  if (answer instanceof Response) return new Uint8Array(await (await okResponse(answer, path)).arrayBuffer());
  return asBytes(answer);
}

async function okResponse(response, path) {
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status} ${response.statusText}`.trim());
  return response;
}

async function fetchWith(fetcher, path, read) {
  let answer;
  try {
    answer = await fetcher(path);
  } catch (err) {
    throw new Error(`could not fetch ${path}: ${err && err.message ? err.message : err}`);
  }
  return read(answer, path);
}

/** What this browser remembers of one log: the pinned key and the last checkpoint it accepted. */
function loadWitnessState(storage, origin) {
  const raw = storage.getItem(STORAGE_PREFIX + origin);
  if (raw === null || raw === undefined) return null;
  try {
    const state = JSON.parse(raw);
    if (typeof state.key === "string" && isSize(state.size) && typeof state.root === "string") return state;
  } catch (err) {
    // fall through: refuse rather than silently forget what was witnessed
  }
  throw new VerifyError(STEPS.KEY, `this browser's record for ${origin} (${STORAGE_PREFIX}${origin}) is unreadable; ` +
    "clear it to start witnessing afresh");
}

/**
 * The first line of a note, read before it is verified, only to know which log's pin applies;
 * the signature checked next covers it, so a forged line gains nothing.
 */
function claimedOrigin(noteText) {
  return typeof noteText === "string" ? noteText.slice(0, Math.max(0, noteText.indexOf("\n"))) : "";
}

/**
 * Witness one ledger entry: check the key, the checkpoint, the entry's inclusion and the log's
 * consistency with what this browser saw before, then remember the new checkpoint.
 *
 * Steps, in order, each added to the result as it runs; the first failure ends the run:
 *  - "verifier key": fetch ledger/public-key and ledger/checkpoint (whose origin names the log),
 *    check the key's hash, and compare it with the key pinned for that origin on first visit.
 *  - "checkpoint signature": the checkpoint is signed by that key (and is for `origin`, if given).
 *  - "inclusion proof": ledger/entries/{index} is in the signed tree, via
 *    ledger/entries/{index}/proof?tree_size={size}.
 *  - "consistency proof": only when an earlier checkpoint of this log was remembered: the
 *    current tree extends it (fetching ledger/consistency?from={a}&to={b} when it grew).
 * Only when every step passed is `parkloop.witness.<origin>` written (`{key, size, root}`):
 * the key is pinned on first success and the last-seen checkpoint moves forward. A failure
 * never writes, so a bad answer cannot overwrite what was witnessed.
 *
 * @param {object} args
 * @param {number} args.index the entry to check
 * @param {(path: string) => Promise<string|Response>} args.fetchText GETs a path relative to the API base
 * @param {(path: string) => Promise<Uint8Array|ArrayBuffer|Response>} [args.fetchBytes] GETs the entry's exact
 *   bytes; without it fetchText is used (a Response is read as bytes, a string as its UTF-8)
 * @param {Storage} args.storage localStorage or anything with getItem/setItem
 * @param {string} [args.origin] the log this witness watches; a checkpoint of another origin fails
 * @returns {Promise<Array<{step: string, ok: boolean, detail: string}>>} never rejects on a failed check
 */
export async function witnessEntry({ index, fetchText, fetchBytes, storage, origin }) {
  const results = [];
  const run = async (step, body) => {
    try {
      const { value, detail } = await underStep(step, body);
      results.push({ step, ok: true, detail });
      return value;
    } catch (err) {
      results.push({ step, ok: false, detail: err.detail });
      throw err;
    }
  };
  try {
    const { key, noteText, logOrigin, before } = await run(STEPS.KEY, () => checkKey(fetchText, storage, origin));
    const checkpoint = await run(STEPS.CHECKPOINT, () => checkCheckpoint(noteText, key, logOrigin));
    await run(STEPS.INCLUSION, () => checkInclusion(index, checkpoint, fetchText, fetchBytes || fetchText));
    if (before) await run(STEPS.CONSISTENCY, () => checkConsistency(before, checkpoint, fetchText));
    storage.setItem(STORAGE_PREFIX + logOrigin,
      JSON.stringify({ key: key.text, size: checkpoint.size, root: checkpoint.rootB64 }));
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err; // a bug, not a verdict
  }
  return results;
}

async function checkKey(fetchText, storage, origin) {
  const keyText = await fetchWith(fetchText, "ledger/public-key", answerText);
  const key = await parseVerifierKey(keyText);
  const noteText = await fetchWith(fetchText, "ledger/checkpoint", answerText);
  const logOrigin = origin === undefined || origin === null ? claimedOrigin(noteText) : origin;
  const before = loadWitnessState(storage, logOrigin);
  if (before && before.key !== key.text) {
    throw new VerifyError(STEPS.KEY, `the ledger now presents key ${key.text}, but this browser pinned ` +
      `${before.key} for ${logOrigin} on its first visit: checkpoints signed by another key prove nothing ` +
      "about the history seen so far; ask the operator why the key changed");
  }
  const detail = before
    ? `${key.text}: key hash checks out and matches the key pinned for ${logOrigin}`
    : `${key.text}: key hash checks out; first key seen for ${logOrigin}, pinned once every check passes`;
  return { value: { key, noteText, logOrigin, before }, detail };
}

async function checkCheckpoint(noteText, key, logOrigin) {
  const checkpoint = await verifyCheckpoint(noteText, key.text);
  if (checkpoint.origin !== logOrigin) {
    throw new Error(`expected a checkpoint of ${logOrigin}, got one of ${checkpoint.origin}`);
  }
  const detail = `signed by ${key.name}+${key.keyHashHex}: ${checkpoint.origin}, size ${checkpoint.size}, ` +
    `root ${checkpoint.rootB64}`;
  return { value: checkpoint, detail };
}

async function checkInclusion(index, checkpoint, fetchText, fetchBytes) {
  if (!isSize(index) || index >= checkpoint.size) {
    throw new Error(`entry ${index} is not in the signed tree of size ${checkpoint.size}`);
  }
  const leaf = await fetchWith(fetchBytes, `ledger/entries/${index}`, answerBytes);
  const proof = await fetchWith(fetchText, `ledger/entries/${index}/proof?tree_size=${checkpoint.size}`, answerText);
  const { leafHashB64 } = await verifyInclusion({ index, leaf, proof, checkpoint });
  const detail = `entry ${index} (leaf hash ${leafHashB64}) is in the signed tree of size ${checkpoint.size}`;
  return { value: null, detail };
}

async function checkConsistency(before, checkpoint, fetchText) {
  const older = { size: before.size, rootB64: before.root };
  let proof;
  if (older.size < checkpoint.size) {
    proof = await fetchWith(fetchText, `ledger/consistency?from=${older.size}&to=${checkpoint.size}`, answerText);
  }
  await verifyConsistency({ older, newer: checkpoint, proof });
  const detail = older.size === checkpoint.size
    ? `same tree as last seen: size ${older.size}, root ${older.rootB64}`
    : `the tree of size ${checkpoint.size} extends the size-${older.size} tree last seen (root ${older.rootB64})`;
  return { value: null, detail };
}

/**
 * Fetchers for witnessEntry over HTTP: paths resolve against `apiBase` (e.g. "/api/v1/"), and a
 * non-2xx answer becomes an error naming the path and status.
 *
 * @param {string} apiBase base URL ending in "/"
 * @param {RequestInit} [init] e.g. {headers: {Authorization: "Bearer …"}} or {credentials: "same-origin"}
 * @returns {{fetchText: (path: string) => Promise<Response>, fetchBytes: (path: string) => Promise<Response>}}
 */
export function httpFetchers(apiBase, init = {}) {
  const get = (path) => fetch(new URL(path, new URL(apiBase, globalThis.location && globalThis.location.href)), {
    ...init, method: "GET", cache: "no-store",
  });
  return { fetchText: get, fetchBytes: get };
}
