"""What-if: past tickets routed again by a draft policy (or the live one), nothing kept, and the
outcomes compared — where they would have gone, at what priority, handled how, and how often that is
where they ended up (docs/simulate.md). `drafts` turns a DraftPolicy into a routing Policy, `replay`
routes tickets again, `compare` sums the outcomes up."""
