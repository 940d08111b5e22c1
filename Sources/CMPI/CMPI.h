// Open MPI's include path, for PETSc: pkg-config `PETSc`/`SLEPc` carry none, yet `petscsys.h` includes <mpi.h>.
// This module exists for its pkg-config name (`ompi-c`) only; <mpi.h> itself is included once, by CPETSc's shim,
// so that MPI's types belong to one module.
