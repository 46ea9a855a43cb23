"""Kernels for the batch: papermill's engine on our own kernel, its lifecycle and warm reuse.

:func:`run_notebook` executes one notebook with papermill (kernel ``python3``) in a kernel this
process started: its stderr is silenced, it is killed at the notebook's wall-clock limit, and a
run that dies mid-way still yields its partial notebook. With ``reuse`` the process keeps the
kernel for its next notebook, whose run starts with a reset of the kernel's user namespace;
:func:`close_kernel` shuts the kept kernel down.

No kernel outlives the process that started it: each leads its own process group, which
:func:`kill_kernels` kills (a worker told to stop, a batch interrupted); on Linux a kernel started
by the main thread is also killed by the system when its process dies, however it dies
(``PR_SET_PDEATHSIG``), and ipykernel exits by itself when its parent changes.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import functools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

log = logging.getLogger("ecopark.reports.batch")
#: nbclient's own messages (timeouts, dead kernels): the outcome reports them, so keep them quiet.
_client_log = logging.getLogger("ecopark.reports.batch.kernel")
_client_log.addHandler(logging.NullHandler())
_client_log.propagate = False

KERNEL_NAME = "python3"
#: A kept kernel is replaced by a fresh one after this many notebooks, so that whatever a
#: notebook leaves behind in the modules' state (caches, figures' fonts) cannot grow without end.
KERNEL_REUSE_LIMIT = 50
#: A kept kernel that does not finish its reset in this time [s] is replaced (it takes ms).
RESET_TIMEOUT = 10.0
#: Time [s] a new kernel has to answer.
START_TIMEOUT = 60.0
#: Time [s] a killed kernel has to end (SIGKILL ends it in milliseconds).
KILL_WAIT = 5.0
#: How often [s] a running cell's kernel is checked for life (nbclient's own check: every 1 s).
DEAD_KERNEL_POLL = 0.1
#: The kernels' options: no SQLite input history (IPython writes every cell to
#: ``~/.ipython/.../history.sqlite``, which kernels running at once share and lock, and opens a
#: session there at each reset); ``In``, ``Out`` and the execution counts are kept in memory.
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)

#: How a batch kernel starts, in place of ``-m ipykernel_launcher`` (the kernel spec's command):
#: as the launcher does, without ipykernel's debugger, whose import of debugpy at every kernel
#: start is ≈ 0.16 s of the kernel's ≈ 0.6 s of CPU (a batch has no frontend to debug from;
#: debugpy stays importable by the notebook, and ``sys.path`` is the launcher's).
_LAUNCH_CODE = """\
import sys
from pathlib import Path
if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
    del sys.path[0]
sys.modules["debugpy"] = None
try:
    import ipykernel.debugger
except ImportError:
    pass
finally:
    del sys.modules["debugpy"]
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""

#: Run silently in a kept kernel before each notebook after its first: a fresh user namespace
#: (``reset(new_session=True)`` also starts the execution counts at 1 again and opens a new
#: history session), no open figure, the notebook's working folder, and the warnings already
#: shown by an earlier notebook shown again. Imported modules stay loaded: that is the saving.
#:
#: The reset collects the cyclic garbage (IPython's reset does so before it clears the
#: namespace, so the last notebook's objects are collected just after it), then freezes what
#: is left (``gc.freeze``: the modules and their caches, ≈ 140,000 objects) so that no later
#: collection walks it again: IPython's full collection at each reset took ≈ 0.1 s of CPU,
#: and the cell's own collections scan less. An object frozen here that later dies in a
#: reference cycle is never freed; the kernel is replaced after :data:`KERNEL_REUSE_LIMIT`
#: notebooks anyway (≈ 100 objects are added to the frozen ones per notebook).
_RESET_CODE = """\
def __ecopark_reset(cwd):
    import gc, os, sys, warnings
    os.chdir(cwd)  # first: the last notebook's folder may be gone (a Dask job's copy of the data)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    get_ipython().reset(new_session=True)
    gc.collect()
    gc.freeze()
    warnings.onceregistry.clear()
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
__ecopark_reset({cwd!r})
"""


class KernelRun(NamedTuple):
    """What one execution of a notebook gave (:func:`run_notebook`)."""

    #: The executed notebook, partial after a failure; None if none was produced.
    nb: Any
    #: ``ok``, ``failed`` or ``timeout``.
    status: str
    #: Why it failed, in words ("" when ok).
    error: str
    #: Whether the kernel failed to start (worth one retry).
    start_failed: bool
    #: Call after rendering: waits for a discarded kernel and removes its connection file.
    cleanup: Callable[[], None]


def _register_engine() -> None:
    """Register papermill engine ``ecopark``: nbclient with our own kernel manager.

    It differs from papermill's default engine in three ways: it runs the notebook in a kernel
    the caller started and connected (``km``, ``kc``: its stderr is silenced, its process can be
    killed at the wall-clock limit, and it may have run notebooks before), it keeps a handle
    on the notebook so that a run that dies mid-way still yields its partial notebook, and a
    kernel that dies in a cell is noticed within :data:`DEAD_KERNEL_POLL` (asking the process
    manager, a ``waitpid``), not a second later.
    """
    import asyncio

    from nbclient.exceptions import DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if "ecopark" in papermill_engines._engines:
        return

    class EcoparkClient(PapermillNotebookClient):
        async def _async_poll_kernel_alive(self) -> None:
            # nbclient's own loop (it cancels the wait for the cell's reply), at our interval
            while True:
                await asyncio.sleep(DEAD_KERNEL_POLL)
                try:
                    await self._async_check_alive()
                except DeadKernelError:
                    assert self.task_poll_for_reply is not None
                    self.task_poll_for_reply.cancel()
                    return

    class EcoparkEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(  # noqa: D102
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            km=None,
            kc=None,
            holder=None,
            **kwargs,
        ):
            if holder is not None:
                holder["nb_man"] = nb_man
            client = EcoparkClient(
                nb_man,
                km=km,
                # nbclient's ``timeout`` is whole seconds; through ``timeout_func`` the limit
                # [s] may be a decimal (2.5).
                timeout=None,
                timeout_func=(lambda cell: execution_timeout) if execution_timeout else None,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=_client_log,
                log_output=False,
                shutdown_kernel="immediate",
            )
            kc.allow_stdin = False
            client.kc = kc
            # The caller owns the kernel: it keeps it for the next notebook, or kills it and
            # stops the channels (after rendering the HTML).
            return client.execute(cleanup_kc=False)

    papermill_engines.register("ecopark", EcoparkEngine)


async def _wait_for_ready(kc: Any, km: Any, timeout: float) -> None:
    """Wait until the kernel answers ``kernel_info`` and its IOPub channel delivers.

    Like ``KernelClient.wait_for_ready`` without its final 0.2 s of silence on IOPub: stale
    IOPub messages are harmless (nbclient keeps only those of the cell it runs), and 0.2 s per
    notebook is 5-10 % of a report's run.
    """
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            msg = await kc.shell_channel.get_msg(timeout=1)
        except Empty:
            pass
        else:
            if msg["msg_type"] == "kernel_info_reply":
                try:  # a status message proves IOPub is subscribed; otherwise ask again
                    await kc.iopub_channel.get_msg(timeout=0.5)
                except Empty:
                    pass
                else:
                    return
        if not await km.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


#: The libraries jsonschema's format checker imports if installed, one per ``format`` it
#: checks (hostname, iri, uri, date-time, color, json-pointer, uri-template, duration), and
#: that nothing else in a batch's processes imports (idna is left: requests needs it).
FORMAT_LIBRARIES = (
    "rfc3987_syntax",
    "rfc3987",
    "rfc3986_validator",
    "rfc3339_validator",
    "fqdn",
    "webcolors",
    "jsonpointer",
    "uri_template",
    "isoduration",
)


def skip_iri_grammars() -> None:
    """Keep jsonschema from importing its format checker's libraries in this process, the IRI
    grammars of ``rfc3987_syntax`` above all (:data:`FORMAT_LIBRARIES`).

    nbformat imports jsonschema, whose format checker imports ``rfc3987_syntax`` if installed
    (JupyterLab's ``jsonschema[format-nongpl]`` installs it), and that module builds about 35
    Earley parsers at import: ≈ 2 s of CPU in every process that imports nbformat (the batch's
    parent, each papermill run; python-jsonschema/jsonschema#1428); the other libraries
    (with arrow, under isoduration) are ≈ 0.1 s more. Only the schemas' ``format`` keywords
    use them, and no notebook schema has one. Called by the commands that run notebooks
    (``ecopark run``, ``ecopark report``) in their own process, before anything imports
    jsonschema; never in a process jsonschema already serves (a user's kernel calling the
    batch from JupyterLab is left alone).
    """
    if "jsonschema" not in sys.modules:
        for name in FORMAT_LIBRARIES:  # their import then fails: the format is unchecked
            sys.modules.setdefault(name, None)


def warm_up_kernel() -> None:
    """Import papermill and nbclient, register the engine, build the notebook validator, look
    up the kernel's spec and this machine's addresses (once per process).

    The spec's lookup imports ipykernel's (and IPython, ≈ 90 modules) and the addresses are
    read with psutil, which a kernel manager otherwise does at its first kernel's start in
    every worker process.
    """
    import nbformat
    import papermill  # noqa: F401
    from jupyter_client import localinterfaces
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    _register_engine()
    nbformat.validate(nbformat.v4.new_notebook())  # builds and keeps the v4 schema validator
    with contextlib.suppress(NoSuchKernel):  # the job's kernel start says so
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    localinterfaces.localhost()  # a kernel's connection file names it (read once, kept)


def _is_start_failure(exc: BaseException, nb: Any) -> bool:
    """Whether ``exc`` is a kernel that failed to start (port race), worth one retry."""
    try:
        import zmq

        if isinstance(exc, zmq.ZMQError):
            return True
    except ImportError:  # pragma: no cover
        pass
    if "Kernel didn't respond" in str(exc) or "Kernel died before replying" in str(exc):
        return True
    started = any(
        c.get("execution_count") is not None
        for c in (nb.cells if nb is not None else [])
        if c.get("cell_type") == "code"
    )
    return isinstance(exc, RuntimeError) and not started


def _kill(km: Any) -> None:
    """Kill a kernel and whatever it started (it leads its own process group)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        with contextlib.suppress(Exception):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            process.kill()


_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Any:
    """libc's ``prctl`` on Linux (looked up once, before any fork), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return None


_PRCTL = _load_prctl()


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False if not possible.

    The signal comes when the *thread* that started this process ends, so a child must be
    started by a thread that lives as long as its process (the main thread).
    """
    if _PRCTL is None:
        return False
    return _PRCTL(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def _kernel_preexec() -> None:  # pragma: no cover - runs in the kernel's process before exec
    die_with_parent(signal.SIGKILL)


@dataclass(eq=False)
class _Kernel:
    """A kernel with its connected client, owned by the process that started it."""

    km: Any
    kc: Any = None
    pid: int = field(default_factory=os.getpid)
    runs: int = 0


#: This process's kept kernels, between two notebooks (reuse mode only): one per thread that
#: runs notebooks (one in a pool worker; a Dask worker may run several threads).
_kept: list[_Kernel] = []
#: Every kernel this process started and has not discarded (running or kept).
_live: set[_Kernel] = set()


def kill_kernels() -> None:
    """Kill every kernel this process started, at once (a worker told to stop, an interrupt).

    Safe to call from a signal handler or another thread: it only sends signals.
    """
    for kernel in list(_live):
        if kernel.pid == os.getpid():
            _kill(kernel.km)


def _without_debugger(km: Any) -> None:
    """Start ``km``'s kernel by :data:`_LAUNCH_CODE` if its spec runs ipykernel's launcher."""
    spec = km.kernel_spec
    if spec is not None and spec.argv[1:3] == ["-m", "ipykernel_launcher"]:
        spec.argv = [spec.argv[0], "-c", _LAUNCH_CODE, *spec.argv[3:]]


async def _start(kernel: _Kernel, cwd: str | None, timeout: float) -> None:
    _live.add(kernel)
    _without_debugger(kernel.km)
    main = threading.current_thread() is threading.main_thread()
    await kernel.km.start_kernel(
        extra_arguments=list(KERNEL_ARGUMENTS),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_kernel_preexec if main and _PRCTL is not None else None,
    )
    kernel.kc = kernel.km.client()
    kernel.kc.start_channels()
    await _wait_for_ready(kernel.kc, kernel.km, timeout)


async def _reset(kernel: _Kernel, cwd: str | None, timeout: float) -> bool:
    """Give a kept kernel a clean namespace; False if it did not answer ``ok`` in time."""
    from queue import Empty

    if not await kernel.km.is_alive():
        return False
    code = _RESET_CODE.format(cwd=cwd or os.getcwd())
    msg_id = kernel.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = await kernel.kc.shell_channel.get_msg(timeout=min(left, 1.0))
        except Empty:
            if not await kernel.km.is_alive():
                return False
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"].get("status") == "ok"
    return False


def _discard(kernel: _Kernel) -> Callable[[], None]:
    """Kill the kernel now and stop its channels; return the cleanup that waits for it."""
    from jupyter_core.utils import run_sync

    _kill(kernel.km)
    _live.discard(kernel)
    if kernel.kc is not None:
        with contextlib.suppress(Exception):
            kernel.kc.stop_channels()
        kernel.kc = None

    def cleanup() -> None:
        # Reaped here as soon as it ends: jupyter_client's shutdown polls it every 0.1 s.
        process = getattr(getattr(kernel.km, "provisioner", None), "process", None)
        with contextlib.suppress(Exception):
            if process is not None:
                process.wait(KILL_WAIT)
        with contextlib.suppress(Exception):
            if kernel.km.has_kernel:
                run_sync(kernel.km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(kernel.km.cleanup_resources)()

    return cleanup


def _take_kept() -> _Kernel | None:
    """A kept kernel of this process it may use (not one inherited through a fork), or None."""
    while _kept:
        try:
            kernel = _kept.pop()
        except IndexError:  # another thread took the last one
            return None
        if kernel.pid != os.getpid():
            continue
        if kernel.runs >= KERNEL_REUSE_LIMIT:
            _discard(kernel)()
            continue
        return kernel
    return None


def close_kernel() -> None:
    """Shut down this process's kept kernels, if any (end of a batch, worker exit)."""
    while (kernel := _take_kept()) is not None:
        _discard(kernel)()


def forget_kept_kernel() -> None:
    """Drop the references to the kernels inherited through a fork (they are the parent's)."""
    _kept.clear()
    _live.clear()


@functools.lru_cache(maxsize=16)
def load_notebook(text: str) -> Any:
    """A notebook's text parsed (and validated) once per process, as papermill loads a notebook.

    The same as ``papermill.iorw.load_notebook_node`` on the file (upgraded to the latest v4,
    papermill's metadata added to the notebook and its cells), without reading a file: jobs
    carry the text. The node is shared: callers copy it before changing it.
    """
    import nbformat
    from papermill import __version__

    nb = nbformat.reads(text, as_version=4)
    nb = nbformat.v4.upgrade(nb) or nb
    nb.metadata.setdefault(
        "papermill",
        {
            "default_parameters": {},
            "parameters": {},
            "environment_variables": {},
            "version": __version__,
        },
    )
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    return nb


def _execute(
    nb: Any,
    input_path: str | None,
    parameters: dict[str, Any],
    cell_timeout: float | None,
    kernel: _Kernel,
    holder: dict[str, Any],
) -> Any:
    """``papermill.execute_notebook`` on a loaded notebook node, in ``kernel``, writing nothing.

    Papermill's own steps (parameters injected, metadata, error markers removed, the engine,
    the error cells and :class:`~papermill.exceptions.PapermillExecutionError`) without its
    load: given a node, papermill writes it to JSON, parses and validates it again, and records
    the whole input notebook as its ``input_path`` metadata.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import (
        prepare_notebook_metadata,
        raise_for_execution_errors,
        remove_error_markers,
    )
    from papermill.parameterize import parameterize_notebook

    if parameters:
        nb = parameterize_notebook(
            nb, parameters, kernel_name=KERNEL_NAME, language="python", engine_name="ecopark"
        )
    nb = prepare_notebook_metadata(nb, input_path, None)
    nb = remove_error_markers(nb)
    nb = papermill_engines.execute_notebook_with_engine(
        "ecopark",
        nb,
        input_path=input_path,
        output_path=None,
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        log_output=False,
        start_timeout=START_TIMEOUT,
        stdout_file=None,
        stderr_file=None,
        execution_timeout=cell_timeout,
        km=kernel.km,
        kc=kernel.kc,
        holder=holder,
    )
    raise_for_execution_errors(nb, None)
    return nb


def _no_cleanup() -> None:
    pass


def run_notebook(
    nb_in: Any,
    parameters: dict[str, Any],
    cwd: str | None,
    cell_timeout: float | None,
    notebook_timeout: float | None,
    reuse: bool = False,
    input_path: str | None = None,
) -> KernelRun:
    """Execute a notebook once with papermill in a kernel of this process.

    Parameters
    ----------
    nb_in : nbformat.NotebookNode
        The notebook to run, as :func:`load_notebook` gives it (not modified).
    parameters : dict
        Papermill parameters (park_id, year, data_dir).
    cwd : str, optional
        The kernel's working folder.
    cell_timeout, notebook_timeout : float, optional
        Limits [s] per cell and per notebook (wall clock, kernel start included).
    reuse : bool
        Run in this process's kept kernel after a reset of its namespace (a fresh kernel if
        there is none, or if the reset fails), and keep the kernel again if the notebook ran to
        the end in time. Otherwise, or after any failure, the kernel is killed as soon as the
        run ends; the returned ``cleanup`` (call it after rendering) waits for it and removes
        its connection file, by which time it has long exited.
    input_path : str, optional
        The notebook's file, recorded in the executed notebook's papermill metadata.

    Returns
    -------
    KernelRun
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    holder: dict[str, Any] = {}
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        if "kernel" in holder:
            _kill(holder["kernel"].km)

    timer = threading.Timer(notebook_timeout, on_timeout) if notebook_timeout else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    nb = None
    kernel = _take_kept() if reuse else None
    try:
        if kernel is not None:
            holder["kernel"] = kernel
            if not run_sync(_reset)(kernel, cwd, RESET_TIMEOUT) and not timed_out.is_set():
                log.info("the kept kernel did not reset; starting a fresh one")
                _discard(kernel)()
                kernel = None
        if kernel is None:
            # nbclient needs the asynchronous manager: with a blocking client its output poller
            # blocks the event loop, and neither timeouts nor a dead kernel are noticed.
            kernel = _Kernel(AsyncKernelManager(kernel_name=KERNEL_NAME))
            holder["kernel"] = kernel
            run_sync(_start)(kernel, cwd, START_TIMEOUT)
        if timed_out.is_set():
            _kill(kernel.km)
        nb = _execute(copy.deepcopy(nb_in), input_path, parameters, cell_timeout, kernel, holder)
        out = (nb, "ok", "", False)
    except PapermillExecutionError as exc:
        nb = holder["nb_man"].nb if "nb_man" in holder else None
        where = f"cell [{exc.exec_count}]" if exc.exec_count else f"cell {exc.cell_index}"
        out = (nb, "failed", f"{where}: {exc.ename}: {exc.evalue}", False)
    except Exception as exc:  # noqa: BLE001 - any failure is one failed notebook
        nb = holder["nb_man"].nb if "nb_man" in holder else None
        name = type(exc).__name__
        if timed_out.is_set():
            error = f"超过每个笔记本 {notebook_timeout:g} s 的时限，已终止（notebook timeout）"
            out = (nb, "timeout", error, False)
        elif name == "CellTimeoutError":
            out = (
                nb,
                "timeout",
                f"单元格执行超过 {cell_timeout:g} s 的时限（cell timeout）",
                False,
            )
        else:
            out = (nb, "failed", f"{name}: {exc}", _is_start_failure(exc, nb))
    except BaseException:
        kernel = holder.get("kernel")
        if kernel is not None:
            _discard(kernel)()
        raise
    finally:
        if timer is not None:
            timer.cancel()
    kernel = holder.get("kernel")
    cleanup = _no_cleanup
    if kernel is not None:
        if reuse and out[1] == "ok" and not timed_out.is_set():
            kernel.runs += 1
            _kept.append(kernel)
        else:
            cleanup = _discard(kernel)
    return KernelRun(*out, cleanup)
