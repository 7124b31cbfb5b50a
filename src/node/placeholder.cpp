// Placeholder until the node layer lands.
