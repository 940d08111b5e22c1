// PETSc and SLEPc for Swift (convalgebra-mpi): the headers, and accessors for what Swift cannot import.
// MPI_COMM_WORLD (an Open MPI macro over a cast address) and PETSC_COMM_WORLD need accessors; PETSc's error
// macros (PetscCall, CHKERRQ) and variadic printing are not importable, so Swift checks each returned
// PetscErrorCode itself. PetscInt follows the build chosen by pkg-config (32-bit for PETSc/SLEPc, 64-bit for
// PETSc64/SLEPc64); Swift code uses the imported PetscInt and never assumes a width.
#ifndef CONVALGEBRA_CPETSC_H
#define CONVALGEBRA_CPETSC_H
#include <mpi.h>
#include <petscksp.h>
#include <petscmat.h>
#include <slepcsvd.h>

static inline MPI_Comm ca_petsc_comm_world(void) { return PETSC_COMM_WORLD; }
static inline MPI_Comm ca_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm ca_petsc_comm_self(void) { return PETSC_COMM_SELF; }
static inline MPI_Datatype ca_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype ca_mpi_long(void) { return MPI_LONG; }
static inline MPI_Op ca_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op ca_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op ca_mpi_min(void) { return MPI_MIN; }
static inline MPI_Datatype ca_mpi_char(void) { return MPI_CHAR; }
/// The width of PetscInt in bytes (4, or 8 in the 64-bit-index build).
static inline int ca_petsc_int_size(void) { return (int)sizeof(PetscInt); }
#endif
