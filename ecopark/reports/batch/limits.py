"""The batch's default time limits, a module of constants so that the command line reads them
without importing the batch."""

#: Time limit [s] per cell.
DEFAULT_CELL_TIMEOUT = 300.0
#: Wall-clock limit [s] per notebook, kernel start included.
DEFAULT_NOTEBOOK_TIMEOUT = 900.0
#: Time [s] a Dask scheduler has to answer.
CONNECT_TIMEOUT = 10.0
