//! Emitters: one module per backend behind one trait (written by the emitter work).
