// Placeholder until the es layer lands.
