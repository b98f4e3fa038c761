// Command gocheck verifies a ParkLoop ledger export with code we did not write:
// golang.org/x/mod/sumdb/note for the signed checkpoint and golang.org/x/mod/sumdb/tlog
// for the RFC 6962/9162 tree, inclusion and consistency proofs.
//
// It reads one JSON request (file named by the first argument, or stdin) and prints one
// JSON report. Exit status: 0 all checks passed, 1 some check failed, 2 unreadable input.
//
//	{"origin": "...", "verifier_key": "<name>+<id>+<key>", "checkpoint": "<signed note>",
//	 "leaves": ["<base64 leaf data>", ...],
//	 "inclusion": [{"index": 3, "leaf": "<base64 leaf data>", "proof": ["<base64 hash>", ...]}],
//	 "consistency": [{"old_checkpoint": "<signed note>", "proof": ["<base64 hash>", ...]}],
//	 "signer_key": "PRIVATE+KEY+...", "sign_text": "<note text to sign>"}
//
// tlog.ParseTree only reads the "go.sum database tree" origin, so the C2SP checkpoint body
// (origin, decimal size, base64 root, optional extension lines) is parsed here by hand.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	Origin      string   `json:"origin"`
	VerifierKey string   `json:"verifier_key"`
	Checkpoint  string   `json:"checkpoint"`
	Leaves      [][]byte `json:"leaves"`
	Inclusion   []struct {
		Index int64       `json:"index"`
		Leaf  []byte      `json:"leaf"`
		Proof []tlog.Hash `json:"proof"`
	} `json:"inclusion"`
	Consistency []struct {
		OldCheckpoint string      `json:"old_checkpoint"`
		Proof         []tlog.Hash `json:"proof"`
	} `json:"consistency"`
	SignerKey string `json:"signer_key"`
	SignText  string `json:"sign_text"`
}

type result struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type report struct {
	Checkpoint struct {
		result
		Size int64     `json:"size"`
		Root tlog.Hash `json:"root"`
	} `json:"checkpoint"`
	Tree *struct {
		result
		Root tlog.Hash `json:"root"`
	} `json:"tree,omitempty"`
	Inclusion   []result `json:"inclusion"`
	Consistency []result `json:"consistency"`
	Signed      string   `json:"signed,omitempty"`
}

// openCheckpoint verifies the note with the one verifier key and parses its C2SP body.
func openCheckpoint(msg string, verifier note.Verifier, origin string) (int64, tlog.Hash, error) {
	n, err := note.Open([]byte(msg), note.VerifierList(verifier))
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return 0, tlog.Hash{}, errors.New("checkpoint body has fewer than three lines")
	}
	if lines[0] != origin {
		return 0, tlog.Hash{}, fmt.Errorf("origin %q, want %q", lines[0], origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return 0, tlog.Hash{}, fmt.Errorf("malformed tree size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	return size, root, nil
}

// treeRoot rebuilds the root of the first size leaves with tlog's own stored-hash layout.
func treeRoot(leaves [][]byte, size int64) (tlog.Hash, error) {
	if int64(len(leaves)) < size {
		return tlog.Hash{}, fmt.Errorf("%d leaves given, checkpoint covers %d", len(leaves), size)
	}
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := int64(0); i < size; i++ {
		hashes, err := tlog.StoredHashes(i, leaves[i], reader)
		if err != nil {
			return tlog.Hash{}, err
		}
		stored = append(stored, hashes...)
	}
	return tlog.TreeHash(size, reader)
}

func outcome(err error) result {
	if err != nil {
		return result{OK: false, Error: err.Error()}
	}
	return result{OK: true}
}

func run(req *request) (*report, bool) {
	rep := &report{Inclusion: []result{}, Consistency: []result{}}
	verifier, err := note.NewVerifier(req.VerifierKey)
	if err != nil {
		rep.Checkpoint.result = outcome(fmt.Errorf("verifier key: %w", err))
		return rep, false
	}
	size, root, err := openCheckpoint(req.Checkpoint, verifier, req.Origin)
	rep.Checkpoint.result, rep.Checkpoint.Size, rep.Checkpoint.Root = outcome(err), size, root
	ok := err == nil
	if !ok {
		return rep, false
	}
	if req.Leaves != nil {
		got, err := treeRoot(req.Leaves, size)
		if err == nil && got != root {
			err = errors.New("leaves do not rebuild the checkpoint root")
		}
		rep.Tree = &struct {
			result
			Root tlog.Hash `json:"root"`
		}{outcome(err), got}
		ok = ok && err == nil
	}
	for _, inc := range req.Inclusion {
		err := tlog.CheckRecord(inc.Proof, size, root, inc.Index, tlog.RecordHash(inc.Leaf))
		rep.Inclusion = append(rep.Inclusion, outcome(err))
		ok = ok && err == nil
	}
	for _, con := range req.Consistency {
		oldSize, oldRoot, err := openCheckpoint(con.OldCheckpoint, verifier, req.Origin)
		if err == nil {
			err = tlog.CheckTree(con.Proof, size, root, oldSize, oldRoot)
		}
		rep.Consistency = append(rep.Consistency, outcome(err))
		ok = ok && err == nil
	}
	if req.SignerKey != "" {
		signer, err := note.NewSigner(req.SignerKey)
		if err == nil {
			var msg []byte
			if msg, err = note.Sign(&note.Note{Text: req.SignText}, signer); err == nil {
				rep.Signed = string(msg)
			}
		}
		ok = ok && err == nil
	}
	return rep, ok
}

func main() {
	input := os.Stdin
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		input = f
	}
	var req request
	if err := json.NewDecoder(input).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		os.Exit(2)
	}
	rep, ok := run(&req)
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Println(string(out))
	if !ok {
		os.Exit(1)
	}
}
