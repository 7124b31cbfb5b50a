// Placeholder until the shm layer lands.
