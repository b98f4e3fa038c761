"""The park-wide symbiosis planner: which of a park's open offers and wants should be paired, and how
much should flow on each pairing, so that the park's indicators gain the most.

The model (README.md, "The planner", states it with its units):
- nodes: the active listings; an offer supplies at most its quantity, a want takes at most its need,
  in matching's own basis (materials t/a, heat MW of thermal power, water m³/d);
- arcs: an offer → want pair only where matching's hard filters hold (`Criteria.accepts`, the
  hazardous-waste legality gate included), and heat only within the pipeline's maximum length;
- value: per unit of flow, the indicators the ledger would record for it a year (the ledger's own
  rules, services/common/indicators.py), weighted, less a transport cost per unit and km;
- objective: a weighted sum, or lexicographic (one indicator after another, then least transport);
- integer lots (a truckload) make it a MIP.

`network` builds the arcs, `gains` prices them, `greedy` is the baseline matching would give, `plan`
turns a solution into pairings, totals and a reason for every listing left unpaired. The solver
itself is an adapter (services/matching/adapters/highs_planner.py).
"""
