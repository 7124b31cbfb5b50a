// Placeholder until the runner layer lands.
