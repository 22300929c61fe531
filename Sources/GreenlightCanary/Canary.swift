/// GreenlightCanary: canary traffic without Kubernetes. `Router/` is the sticky weighted reverse proxy
/// in front of a baseline and a canary upstream; `Flags/` the feature flags (kept in the ledger, served
/// over OFREP) whose kill switch stops a bad change at once. Both split users with ``StickyBucket``
/// (GreenlightCore), the rule of Unleash's SDKs, so the router and any flag SDK agree on who is in.
public enum Canary {}
