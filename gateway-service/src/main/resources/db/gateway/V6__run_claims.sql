-- The verified claims of the OIDC identity token a run was submitted with (issue 17), as one JSON
-- object of strings: the `request.claims` catalog conditions read. The gateway asks the policy
-- service again when it dequeues the run, after the token is gone, and sends these, so a condition
-- on a claim decides alike at submission and at dequeue. Bounded by the gateway (at most 64 claims,
-- names of at most 64 characters, values of at most 512). NULL for a run submitted with a client
-- certificate: no claims, so a condition reading one fails closed. Claims are not secret; the
-- token itself is never stored.
ALTER TABLE runs ADD COLUMN token_claims VARCHAR(1000000);
