#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The git commit the binary was built from: the `CONVALGEBRA_COMMIT` the build was given (the Makefile passes
/// `git rev-parse HEAD`, with `-dirty` when the work tree differed from it; Package.swift keeps hex digits, `-` and
/// letters only), or NULL when the build was given none (a plain `swift build`).
const char *ca_build_commit(void);

#endif
