"""Field-level encryption at rest: AES-256-GCM with a data key per survivor,
wrapped by a versioned master key; blind indexes for exact-match lookups;
crypto-shredding. See docs/security.md ("Data at rest")."""
