"""Run the report notebooks for many park-years: papermill in a process pool or on Dask.

For every park-year and notebook, one job executes the notebook with papermill (kernel
``python3``) and renders it to offline HTML (:mod:`ecopark.reports.html`) in the worker. Each worker
keeps its kernel for its next notebook, whose run starts with a reset of the kernel's user
namespace (``fresh_kernels`` starts one kernel per notebook instead); the parent
writes ``<out>/<park>/<year>/<notebook>.ipynb`` and ``.html``, then ``<out>/summary.csv`` and
``<out>/index.html``, every file atomically. A failing notebook stops nothing else: its partial
notebook is still exported (it is the log) and marked failed.

Workers are a process pool (forked after papermill and nbconvert are imported, so each worker
pays no import cost and reuses one HTML exporter), the parent process itself when one job slot
is asked for, or a Dask cluster (``scheduler``), whose workers return the notebook and HTML
bytes so that reports are written where the command runs.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as _dt
import html
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecopark.errors import InputError, display_path
from ecopark.io.atomic import write_bytes, write_text
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS, notebook_title, notebook_weight
from ecopark.reports.html import report_heading
from ecopark.reports.params import ParamsError, ParkYear

log = logging.getLogger("ecopark.reports.batch")
#: nbclient's own messages (timeouts, dead kernels): the outcome reports them, so keep them quiet.
_client_log = logging.getLogger("ecopark.reports.batch.kernel")
_client_log.addHandler(logging.NullHandler())
_client_log.propagate = False

DEFAULT_CELL_TIMEOUT = 300.0
DEFAULT_NOTEBOOK_TIMEOUT = 900.0
SUMMARY_COLUMNS = ["park", "year", "notebook", "status", "seconds", "error"]
KERNEL_NAME = "python3"


@dataclass
class Outcome:
    """One row of ``summary.csv``: how one notebook of one park-year went."""

    park: str
    year: int | str
    notebook: str
    status: str  # ok | failed | timeout
    seconds: float = 0.0
    error: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """Whether the notebook ran to the end without error."""
        return self.status == "ok"


@dataclass
class Target:
    """A park-year requested, valid or not, with what the parent learnt about it."""

    park: str
    year: int | str
    source: str
    park_year: ParkYear | None = None
    error: str = ""
    name: str = ""
    verdict: str = ""
    compliant: bool | None = None
    sources: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Worker side: execute one notebook and render it. Everything here must be picklable and must not
# touch the parent's files.


def _register_engine() -> None:
    """Register papermill engine ``ecopark``: nbclient with our own kernel manager.

    It differs from papermill's default engine in two ways: it runs the notebook in a kernel
    the caller started and connected (``km``, ``kc``: its stderr is silenced, its process can be
    killed at the wall-clock limit, and it may have run notebooks before), and it keeps a handle
    on the notebook so that a run that dies mid-way still yields its partial notebook.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if "ecopark" in papermill_engines._engines:
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
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                timeout=execution_timeout,
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


def warm_up() -> None:
    """Import papermill, nbclient and nbconvert and build the HTML exporter (once per process)."""
    import papermill  # noqa: F401

    from ecopark.reports.html import exporter

    _register_engine()
    exporter()


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
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        with contextlib.suppress(Exception):
            process.kill()


#: A kept kernel is replaced by a fresh one after this many notebooks, so that whatever a
#: notebook leaves behind in the modules' state (caches, figures' fonts) cannot grow without end.
KERNEL_REUSE_LIMIT = 50
#: A kept kernel that does not finish its reset in this time [s] is replaced (it takes ms).
RESET_TIMEOUT = 10.0

#: Run silently in a kept kernel before each notebook after its first: a fresh user namespace
#: (``reset(new_session=True)`` also starts the execution counts at 1 again and opens a new
#: history session), no open figure, the notebook's working folder, and the warnings already
#: shown by an earlier notebook shown again. Imported modules stay loaded: that is the saving.
_RESET_CODE = """\
def __ecopark_reset(cwd):
    import os, sys, warnings
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    get_ipython().reset(new_session=True)
    os.chdir(cwd)
    warnings.onceregistry.clear()
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
__ecopark_reset({cwd!r})
"""


@dataclass(eq=False)
class _Kernel:
    """A kernel with its connected client, owned by the process that started it."""

    km: Any
    kc: Any = None
    pid: int = field(default_factory=os.getpid)
    runs: int = 0


#: This process's kept kernel, between two notebooks (reuse mode only).
_kept: _Kernel | None = None


async def _start(kernel: _Kernel, cwd: str | None, timeout: float) -> None:
    await kernel.km.start_kernel(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    if kernel.kc is not None:
        with contextlib.suppress(Exception):
            kernel.kc.stop_channels()
        kernel.kc = None

    def cleanup() -> None:
        with contextlib.suppress(Exception):
            if kernel.km.has_kernel:
                run_sync(kernel.km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(kernel.km.cleanup_resources)()

    return cleanup


def _take_kept() -> _Kernel | None:
    """This process's kept kernel, if there is one it may use (not inherited through a fork)."""
    global _kept
    kernel, _kept = _kept, None
    if kernel is None or kernel.pid != os.getpid():
        return None
    if kernel.runs >= KERNEL_REUSE_LIMIT:
        _discard(kernel)()
        return None
    return kernel


def close_kernel() -> None:
    """Shut down this process's kept kernel, if any (end of a batch, worker exit)."""
    kernel = _take_kept()
    if kernel is not None:
        _discard(kernel)()


def _no_cleanup() -> None:
    pass


def _run_once(
    nb_in: Any,
    parameters: dict,
    cwd: str | None,
    cell_timeout: float | None,
    notebook_timeout: float | None,
    reuse: bool = False,
) -> tuple[Any, str, str, bool, Callable[[], None]]:
    """Execute once; return (notebook, status, error, kernel_start_failed, cleanup).

    With ``reuse``, the notebook runs in this process's kept kernel after a reset of its
    namespace (a fresh kernel if there is none, or if the reset fails), and the kernel is kept
    again if the notebook ran to the end in time. Otherwise, or after any failure, the kernel is
    killed as soon as the run ends; ``cleanup`` (call it after rendering) waits for it and
    removes its connection file, by which time it has long exited.
    """
    global _kept
    import papermill
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
            run_sync(_start)(kernel, cwd, 60.0)
        if timed_out.is_set():
            _kill(kernel.km)
        nb = papermill.execute_notebook(
            copy.deepcopy(nb_in),
            None,
            parameters=parameters,
            engine_name="ecopark",
            kernel_name=KERNEL_NAME,
            language="python",
            progress_bar=False,
            request_save_on_cell_execute=False,
            start_timeout=60,
            execution_timeout=cell_timeout,
            km=kernel.km,
            kc=kernel.kc,
            holder=holder,
        )
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
            _kept = kernel
        else:
            cleanup = _discard(kernel)
    return (*out, cleanup)


def execute_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook for one park-year and render its HTML; never raises.

    Parameters
    ----------
    spec : dict
        ``notebook`` (JSON text), ``parameters`` (park_id, year, data_dir), ``cwd``,
        ``cell_timeout`` [s], ``notebook_timeout`` [s], ``heading``, ``sources``, ``key``
        (park, year, notebook), and optionally ``reuse_kernel`` (run in this process's kept
        kernel, see :func:`_run_once`; :func:`close_kernel` shuts it down) and ``data_files``
        ({relative path: bytes}) to recreate the data folder on a remote worker (always a fresh
        kernel).

    Returns
    -------
    dict
        ``key``, ``status`` (ok|failed|timeout), ``seconds``, ``error``, ``attempts``,
        ``ipynb`` and ``html`` (bytes, or None when nothing could be produced).
    """
    start = time.perf_counter()
    result: dict[str, Any] = {"key": spec["key"], "ipynb": None, "html": None, "attempts": 0}
    try:
        import nbformat

        with contextlib.ExitStack() as stack:
            parameters = dict(spec["parameters"])
            cwd = spec.get("cwd")
            if spec.get("data_files"):
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ecopark-")))
                for rel, data in spec["data_files"].items():
                    target = tmp / "data" / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                parameters["data_dir"] = str(tmp / "data")
                cwd = str(tmp)
            nb_in = nbformat.reads(spec["notebook"], as_version=4)
            for attempt in (1, 2):
                result["attempts"] = attempt
                nb, status, error, start_failed, cleanup = _run_once(
                    nb_in,
                    parameters,
                    cwd,
                    spec.get("cell_timeout"),
                    spec.get("notebook_timeout"),
                    reuse=bool(spec.get("reuse_kernel")) and not spec.get("data_files"),
                )
                stack.callback(cleanup)
                if not (start_failed and attempt == 1):
                    break
                log.warning("%s: kernel failed to start (%s); retrying once", spec["key"], error)
            if nb is None:
                nb = copy.deepcopy(nb_in)
            if "data_files" in spec and spec.get("data_files"):
                # Show the caller's data folder, not the worker's temporary copy.
                _restore_data_dir(nb, spec["parameters"]["data_dir"])
            result["ipynb"] = _ipynb_bytes(nb)
            result.update(status=status, error=error)
            try:
                from ecopark.reports.html import to_html

                result["html"] = to_html(
                    nb,
                    spec["heading"],
                    spec.get("sources", ()),
                    generated=spec.get("generated"),
                    failed=error if status != "ok" else None,
                ).encode("utf-8")
            except Exception as exc:  # noqa: BLE001
                result.update(
                    status="failed",
                    error=(error + "; " if error else "")
                    + f"HTML export failed: {type(exc).__name__}: {exc}",
                )
    except Exception as exc:  # noqa: BLE001
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def _ipynb_bytes(nb: Any) -> bytes:
    """The notebook as nbformat writes it (indent 1, sorted keys), without re-validating it."""
    return (json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _restore_data_dir(nb: Any, data_dir: str) -> None:
    params = nb.metadata.get("papermill", {}).get("parameters")
    if isinstance(params, dict) and "data_dir" in params:
        params["data_dir"] = data_dir


# ---------------------------------------------------------------------------------------------
# Parent side.


def notebooks_dir() -> Path:
    """Where the kit's notebooks are: ``./notebooks`` if it has them, else the checkout's."""
    here = Path("notebooks")
    if (here / f"{DEFAULT_NOTEBOOKS[0]}.ipynb").is_file():
        return here.resolve()
    return (Path(__file__).resolve().parents[3] / "notebooks").resolve()


def resolve_notebooks(names: Iterable[str] | None = None) -> list[Path]:
    """Notebook paths from names (``01_assessment``), file names or paths; default: all three.

    Raises
    ------
    ParamsError
        If a notebook does not exist.
    """
    folder = notebooks_dir()
    out = []
    for name in names or DEFAULT_NOTEBOOKS:
        p = Path(name)
        candidates = [p, p.with_suffix(".ipynb"), folder / p.name, folder / f"{p.name}.ipynb"]
        found = next((c for c in candidates if c.suffix == ".ipynb" and c.is_file()), None)
        if found is None:
            have = ", ".join(sorted(q.stem for q in folder.glob("*.ipynb"))) or "none"
            raise ParamsError(
                f"notebook {name!r} not found (notebooks in {display_path(folder)}: {have})"
            )
        out.append(found.resolve())
    return out


def targets_from_params(files: Iterable[Path | str]) -> list[Target]:
    """One target per params file; a broken file becomes a target with its error, not a crash."""
    from ecopark.reports.params import load_params

    out = []
    for f in files:
        f = Path(f)
        try:
            py = load_params(f)
        except ParamsError as exc:
            out.append(Target(park=f.stem, year="", source=display_path(f), error=str(exc)))
            continue
        out.append(Target(park=py.park_id, year=py.year, source=py.source, park_year=py))
    return out


def targets_for_park(park_id: str, years: list[int] | None, data_dir: Path | str) -> list[Target]:
    """Targets for ``--park ID [--years ...]``; default years: every year after the base year."""
    from ecopark.reports.params import check_park_year

    data_dir = Path(data_dir).resolve()
    shown = f"--park {park_id}"
    if years is None:
        from ecopark.io.config import load_config

        try:
            check_park_year(park_id, -1, data_dir, shown)
        except ParamsError as exc:
            if "not found" in str(exc) or "does not exist" in str(exc):
                raise
        base = load_config(data_dir / park_id).base_year
        years = sorted(
            int(p.stem)
            for p in (data_dir / park_id).iterdir()
            if p.stem.isdigit() and p.suffix.lower() in (".csv", ".xlsx") and int(p.stem) > base
        )
        if not years:
            raise ParamsError(
                f"{shown}: no year after the base year {base} in {display_path(data_dir / park_id)}"
            )
    out = []
    for year in years:
        try:
            check_park_year(park_id, year, data_dir, shown)
        except ParamsError as exc:
            out.append(Target(park=park_id, year=year, source=shown, error=str(exc)))
            continue
        out.append(
            Target(
                park=park_id,
                year=year,
                source=shown,
                park_year=ParkYear(park_id, year, data_dir, source=shown),
            )
        )
    return out


def _describe(target: Target) -> None:
    """Read the target's park: its name and data sources for the report header."""
    from ecopark.io.park import load_park

    py = target.park_year
    assert py is not None
    try:
        park = load_park(py.park_dir)
    except InputError as exc:
        target.error = "; ".join(str(p) for p in exc.problems)
        return
    target.name = park.config.name
    sources = []
    if park.config.source:
        sources.append(park.config.source)
    if park.config.synthetic:
        sources.append("合成数据（示例），并非真实园区")
    files = [f"{park.id}/{park.file_for(y).name}" for y in park.years]  # no machine paths
    sources.append("数据文件：" + "，".join(files))
    target.sources = sources


def _judge(target: Target) -> None:
    """The target's verdict for the index (:func:`ecopark.assess`, in this process)."""
    from ecopark.engine import assess
    from ecopark.io.park import load_park

    py = target.park_year
    assert py is not None
    try:
        result = assess(load_park(py.park_dir), py.year)
    except InputError as exc:
        target.verdict = "无法评价：" + "; ".join(str(p) for p in exc.problems)
        return
    except Exception as exc:  # noqa: BLE001
        target.verdict = f"无法评价：{type(exc).__name__}: {exc}"
        return
    target.compliant = result.compliant
    target.verdict = result.verdict_text()


def _data_files(park_dir: Path) -> dict[str, bytes]:
    root = park_dir.parent
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(park_dir.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _specs(
    targets: list[Target],
    notebooks: list[Path],
    cell_timeout: float | None,
    notebook_timeout: float | None,
    ship_data: bool,
    reuse_kernel: bool = False,
) -> list[dict[str, Any]]:
    texts = {nb: nb.read_text(encoding="utf-8") for nb in notebooks}
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    specs = []
    for t in targets:
        if t.error or t.park_year is None:
            continue
        py = t.park_year
        data = _data_files(py.park_dir) if ship_data else None
        for nb in notebooks:
            specs.append(
                {
                    "key": (py.park_id, py.year, nb.stem),
                    "notebook": texts[nb],
                    "parameters": py.parameters(),
                    "cwd": str(nb.parent),
                    "cell_timeout": cell_timeout,
                    "notebook_timeout": notebook_timeout,
                    "heading": report_heading(t.name or py.park_id, py.year, nb.stem),
                    "sources": t.sources,
                    "generated": generated,
                    "data_files": data,
                    "reuse_kernel": reuse_kernel,
                }
            )
    return specs


def _iter_pool(specs: list[dict], jobs: int) -> Iterable[dict]:
    """Submit every job now (to a pool forked after the imports, or run them lazily in this
    process when ``jobs`` is 1) and return an iterator over the results as they come."""
    if jobs <= 1 or len(specs) <= 1:
        return _iter_here(specs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    warm_up()  # import once here; forked workers inherit it
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork") if "fork" in methods else None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_started)
    futures = {pool.submit(execute_job, spec): spec for spec in specs}

    def results() -> Iterable[dict]:
        try:
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker fails its jobs only
                    yield {
                        "key": futures[fut]["key"],
                        "status": "failed",
                        "seconds": 0.0,
                        "error": f"worker process failed: {type(exc).__name__}: {exc}",
                        "ipynb": None,
                        "html": None,
                        "attempts": 1,
                    }
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return results()


def _iter_here(specs: list[dict]) -> Iterable[dict]:
    try:
        for spec in specs:
            yield execute_job(spec)
    finally:
        close_kernel()


def _worker_started() -> None:
    """Pool worker initializer: shut down the worker's kept kernel when the worker exits."""
    from multiprocessing import util

    global _kept
    _kept = None  # never a kernel of the parent's
    util.Finalize(None, close_kernel, exitpriority=10)


def _iter_dask(specs: list[dict], scheduler: str) -> Iterable[dict]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise ParamsError("--scheduler needs Dask: pip install 'ecopark[dask]'") from None
    with Client(scheduler) as client:
        futures = client.map(execute_job, specs, pure=False)
        keys = {f.key: s["key"] for f, s in zip(futures, specs, strict=True)}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001
                yield {
                    "key": keys[fut.key],
                    "status": "failed",
                    "seconds": 0.0,
                    "error": f"Dask worker failed: {type(exc).__name__}: {exc}",
                    "ipynb": None,
                    "html": None,
                    "attempts": 1,
                }


def report_path(out_dir: Path, park: str, year: int | str, notebook: str, suffix: str) -> Path:
    """``<out>/<park>/<year>/<notebook><suffix>``."""
    return out_dir / str(park) / str(year) / f"{notebook}{suffix}"


def run_batch(
    targets: list[Target],
    notebooks: list[Path],
    out_dir: Path | str = "reports",
    jobs: int | None = None,
    scheduler: str | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float | None = DEFAULT_NOTEBOOK_TIMEOUT,
    progress: bool | None = None,
    on_result: Callable[[Outcome], None] | None = None,
    fresh_kernels: bool = False,
) -> list[Outcome]:
    """Execute every notebook for every target and write the reports, the summary and the index.

    Parameters
    ----------
    targets : list of Target
        From :func:`targets_from_params` or :func:`targets_for_park`; invalid ones are reported
        as failed without running.
    notebooks : list of Path
        The notebooks to run (:func:`resolve_notebooks`).
    out_dir : path
        Where ``<park>/<year>/<notebook>.ipynb|.html``, ``summary.csv`` and ``index.html`` go.
    jobs : int, optional
        Worker processes; default ``os.cpu_count()``; 1 runs in this process.
    scheduler : str, optional
        A Dask scheduler address; the jobs then run on that cluster.
    cell_timeout, notebook_timeout : float, optional
        Limits [s] per cell and per notebook (wall clock, kernel start included).
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.
    on_result : callable, optional
        Called with each notebook's :class:`Outcome` as it comes in.
    fresh_kernels : bool
        Start a new kernel for every notebook (strict isolation). By default each worker keeps
        one kernel and runs its successive notebooks in it, after resetting the user namespace
        (no variable, open figure or execution count survives; imported modules and their state,
        such as matplotlib's settings, do); a kernel whose notebook failed, timed out or died is
        discarded, and the next notebook gets a fresh one. Jobs on Dask always get a fresh one.

    Returns
    -------
    list of Outcome
        One per notebook run, plus one per invalid target.
    """
    out_dir = Path(out_dir)
    for t in targets:
        if not t.error and t.park_year is not None:
            _describe(t)
    specs = _specs(
        targets,
        notebooks,
        cell_timeout,
        notebook_timeout,
        ship_data=bool(scheduler),
        reuse_kernel=not fresh_kernels and not scheduler,
    )
    # Longest first, so that no worker is left alone with a long notebook at the end.
    specs.sort(key=lambda spec: -notebook_weight(spec["key"][2]))
    by_key = {
        (t.park_year.park_id, t.park_year.year): t for t in targets if t.park_year is not None
    }
    outcomes: list[Outcome] = []
    for t in targets:
        if t.error:
            o = Outcome(park=t.park, year=t.year, notebook="", status="failed", error=t.error)
            t.outcomes.append(o)
            outcomes.append(o)
    if progress is None:
        progress = sys.stderr.isatty()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(specs) or 1))
    stream = _iter_dask(specs, scheduler) if scheduler else _iter_pool(specs, workers)
    for t in targets:  # while the workers run
        if not t.error and t.park_year is not None:
            _judge(t)
    from tqdm import tqdm

    with tqdm(
        total=len(specs), disable=not progress, unit="nb", desc="ecopark run", file=sys.stderr
    ) as bar:
        for res in stream:
            park, year, notebook = res["key"]
            if res.get("ipynb") is not None:
                write_bytes(report_path(out_dir, park, year, notebook, ".ipynb"), res["ipynb"])
            if res.get("html") is not None:
                write_bytes(report_path(out_dir, park, year, notebook, ".html"), res["html"])
            o = Outcome(
                park=park,
                year=year,
                notebook=notebook,
                status=res["status"],
                seconds=float(res.get("seconds", 0.0)),
                error=res.get("error", ""),
                attempts=int(res.get("attempts", 1)),
            )
            by_key[(park, year)].outcomes.append(o)
            outcomes.append(o)
            if on_result is not None:
                on_result(o)
            bar.update(1)
    order = {nb.stem: i for i, nb in enumerate(notebooks)}
    for t in targets:
        t.outcomes.sort(key=lambda o: order.get(o.notebook, -1))
    write_summary(out_dir / "summary.csv", _sorted(outcomes, targets, order))
    write_index(out_dir / "index.html", targets, notebooks, out_dir)
    return outcomes


def _sorted(outcomes: list[Outcome], targets: list[Target], order: dict[str, int]) -> list[Outcome]:
    rank = {id(t): i for i, t in enumerate(targets)}
    pos = {id(o): rank[id(t)] for t in targets for o in t.outcomes}
    return sorted(outcomes, key=lambda o: (pos.get(id(o), 0), order.get(o.notebook, -1)))


def write_summary(path: Path, outcomes: list[Outcome]) -> None:
    """Write ``summary.csv`` (park, year, notebook, status, seconds, error), UTF-8 with BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SUMMARY_COLUMNS)
    for o in outcomes:
        w.writerow([o.park, o.year, o.notebook, o.status, f"{o.seconds:.2f}", o.error])
    write_text(path, "\ufeff" + buf.getvalue())


FAILED_MARK = '<span class="failed">失败</span>'
DONE_MARK = '<span class="ok">完成</span>'
_INDEX_CSS = """
:root { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "WenQuanYi Micro Hei", "SimHei", system-ui, sans-serif; }
body { margin: 24px; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 6px 10px; vertical-align: top; text-align: left; }
th { background: #f0f4f8; }
.ok { color: #1a7f37; } .fail, .failed, .timeout { color: #b00020; font-weight: bold; }
.verdict { white-space: pre-line; font-size: 0.9em; }
"""


def write_index(path: Path, targets: list[Target], notebooks: list[Path], out_dir: Path) -> None:
    """Write ``index.html``: every park-year with its verdict and links to its reports."""
    e = html.escape
    rows = []
    n_failed = sum(1 for t in targets for o in t.outcomes if not o.ok)
    for t in targets:
        failed = bool(t.error) or any(not o.ok for o in t.outcomes)
        if t.error:
            verdict = '<span class="fail">无法运行</span>'
            detail = f'<div class="verdict">{e(t.error)}</div>'
        elif t.compliant is None:
            verdict = '<span class="fail">无法评价</span>'
            detail = f'<div class="verdict">{e(t.verdict)}</div>'
        else:
            word = "符合" if t.compliant else "不符合"
            cls = "ok" if t.compliant else "fail"
            verdict = f'<span class="{cls}">{word}</span>'
            detail = f'<div class="verdict">{e(t.verdict)}</div>'
        links = []
        for o in t.outcomes:
            if not o.notebook:
                continue
            href = f"{t.park}/{t.year}/{o.notebook}.html"
            label = e(notebook_title(o.notebook))
            if o.ok:
                links.append(f'<a href="{e(href)}">{label}</a>')
            else:
                status = "超时" if o.status == "timeout" else "失败"
                link = f'<a href="{e(href)}">{label}</a>' if (out_dir / href).is_file() else label
                links.append(f'{link} <span class="failed">（{status}：{e(o.error)}）</span>')
        mark = ' class="failed-row"' if failed else ""
        rows.append(
            f"<tr{mark}><td>{e(t.name or t.park)}<br><small>{e(str(t.park))}</small></td>"
            f"<td>{e(str(t.year))}</td><td>{verdict}{detail}</td>"
            f"<td>{'<br>'.join(links) or '—'}</td>"
            f"<td>{FAILED_MARK if failed else DONE_MARK}"
            f"<br><small>{e(t.source)}</small></td></tr>"
        )
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    state = f'<span class="fail">{n_failed} 项失败</span>' if n_failed else "全部完成"
    total = sum(len(t.outcomes) for t in targets)
    body = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>国家生态工业示范园区 评价报告索引</title>\n"
        f"<style>{_INDEX_CSS}</style>\n</head>\n<body>\n"
        "<h1>国家生态工业示范园区 评价报告索引</h1>\n"
        f"<p>生成日期：{generated}；依据 HJ 274-2015；共 {len(targets)} 个园区年度，"
        f"{total} 项，{state}。"
        ' <a href="summary.csv">运行摘要 summary.csv</a></p>\n'
        "<table>\n<thead><tr><th>园区</th><th>年份</th><th>评价结论</th><th>报告</th><th>运行状态</th>"
        "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )
    write_text(path, body)


def summary_text(outcomes: list[Outcome], out_dir: Path | str) -> str:
    """A few lines for the terminal: counts, then every failure with its error."""
    ok = sum(o.ok for o in outcomes)
    failed = [o for o in outcomes if not o.ok]
    lines = [
        f"ecopark run: {len(outcomes)} job(s), {ok} ok, {len(failed)} failed; "
        f"reports in {display_path(out_dir)}/ (index.html, summary.csv)"
    ]
    for o in failed:
        what = f"{o.park} {o.year} {o.notebook}".strip()
        lines.append(f"  FAILED {what}: {o.error}")
    return "\n".join(lines)


def to_json(outcomes: list[Outcome]) -> str:
    """The outcomes as JSON (for scripts)."""
    return json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=1)
