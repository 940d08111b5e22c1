#include "CBuildInfo.h"

// CONVALGEBRA_BUILD_COMMIT is defined by Package.swift from the environment of the build.
const char *ca_build_commit(void) {
#ifdef CONVALGEBRA_BUILD_COMMIT
    return CONVALGEBRA_BUILD_COMMIT;
#else
    return 0;
#endif
}
