"""What the fault drill, the benchmarks and the end-to-end tests share to drive a running ParkLoop
over HTTP: request bodies, a webhook receiver, starting the system, registering parties, the
exchange flow. One copy of each, so a change of the API is made once."""
