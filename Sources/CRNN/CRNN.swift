// CRNN: see README.md for this module's responsibility.
