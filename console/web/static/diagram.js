// Draws the saga's diagram: Mermaid (vendored beside this file, no network) renders the
// flowchart source in <pre class="mermaid"> in place; without JavaScript the source stays.
mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });
