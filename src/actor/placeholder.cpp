// Placeholder until the actor layer lands.
