"""Thread safety and thread-count / SIMD configuration."""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import nonlin as nl

BIG = (1 << 21) + 999  # > 1e6: goes through the internal pool
NAMES = ["relu", "gelu", "gelu_tanh", "silu", "mish", "softplus", "elu", "sigmoid", "tanh",
         "hardswish", "logsigmoid", "leaky_relu"]


@pytest.fixture
def restore_threads():
    old = nl.get_num_threads()
    yield
    nl.set_num_threads(old)


def _jobs(dtype=np.float32):
    """A mix of large and small forward/backward jobs on distinct arrays."""
    rng = np.random.default_rng(0)
    jobs = []
    for i, name in enumerate(NAMES):
        n = BIG + 17 * i if i % 2 == 0 else 1000 + i
        x = rng.uniform(-8, 8, n).astype(dtype)
        g = rng.normal(size=n).astype(dtype)
        jobs.append((name, "forward", x, None))
        jobs.append((name, "backward", x, g))
        jobs.append((name, "derivative", x, None))
    return jobs


def _run(job, out=None):
    name, kind, x, g = job
    a = getattr(nl, name)
    if kind == "forward":
        return a(x, out=out)
    if kind == "derivative":
        return a.derivative(x, out=out)
    return a.backward(g, x, out=out)


@pytest.mark.parametrize("nthreads", [1, 2])
def test_concurrent_python_threads_match_serial(nthreads, restore_threads):
    nl.set_num_threads(nthreads)
    jobs = _jobs()
    serial = [_run(j) for j in jobs]
    # several Python threads, every job several times, in different orders
    order = [i for _ in range(3) for i in range(len(jobs))]
    np.random.default_rng(1).shuffle(order)
    with ThreadPoolExecutor(max_workers=6) as ex:
        results = list(ex.map(lambda i: (i, _run(jobs[i])), order))
    for i, r in results:
        np.testing.assert_array_equal(r, serial[i], err_msg=f"{jobs[i][0]} {jobs[i][1]}")


def test_concurrent_threads_writing_disjoint_slices_of_one_output(restore_threads):
    nl.set_num_threads(2)
    x = np.random.default_rng(2).uniform(-6, 6, 4 * BIG).astype(np.float32)
    expected = nl.gelu(x)
    out = np.full_like(x, np.nan)
    parts = np.array_split(np.arange(x.size), 8)
    barrier = threading.Barrier(4)

    def work(k):
        barrier.wait()
        for p in parts[k::4]:
            nl.gelu(x[p[0]: p[-1] + 1], out=out[p[0]: p[-1] + 1])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(out, expected)


def test_concurrent_with_thread_count_changes(restore_threads):
    # set_num_threads racing with running computations must neither crash nor change results
    x = np.random.default_rng(3).uniform(-6, 6, BIG).astype(np.float32)
    nl.set_num_threads(1)
    expected = nl.silu.backward(x, x)
    stop = threading.Event()

    def flip():
        k = 0
        while not stop.is_set():
            nl.set_num_threads(1 + k % 2)
            k += 1

    t = threading.Thread(target=flip)
    t.start()
    try:
        with ThreadPoolExecutor(max_workers=3) as ex:
            res = list(ex.map(lambda _: nl.silu.backward(x, x), range(12)))
    finally:
        stop.set()
        t.join()
    for r in res:
        np.testing.assert_array_equal(r, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_vs_two_threads_bitwise(dtype, restore_threads):
    rng = np.random.default_rng(4)
    n = 3 * BIG + 5
    x = rng.uniform(-12, 12, n).astype(dtype)
    g = rng.normal(size=n).astype(dtype)
    names = [a for a in ("relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu",
                         "gelu_tanh", "silu", "mish", "softplus", "softsign", "sigmoid", "tanh",
                         "logsigmoid", "hardtanh", "hardsigmoid", "hardswish", "hardshrink",
                         "softshrink", "tanhshrink", "squared_relu")]
    for name in names:
        a = getattr(nl, name)
        res = {}
        for t in (1, 2):
            nl.set_num_threads(t)
            assert nl.get_num_threads() == t
            res[t] = (a(x), a.derivative(x), a.backward(g, x), a(x[::-3]))
        for r1, r2 in zip(res[1], res[2]):
            np.testing.assert_array_equal(r1, r2, err_msg=name)
    # learnable parameter gradients (reductions): rerunning with the same thread count is
    # bitwise reproducible; across thread counts the summation order may differ
    m = BIG // 5 * 5
    xs, gs = x[:m].reshape(-1, 5), g[:m].reshape(-1, 5)
    scale = float(np.abs(gs.astype(np.float64) * xs).sum())
    rel = 1e-5 if dtype == np.float32 else 1e-13
    for name in ("prelu", "elu", "silu", "softplus", "celu"):
        pg = {}
        for t in (1, 2, 1, 2):
            nl.set_num_threads(t)
            r = getattr(nl, name).param_backward(gs, xs)
            if t in pg:
                for k in r:
                    np.testing.assert_array_equal(r[k], pg[t][k], err_msg=f"{name} rerun")
            pg[t] = r
        for k in pg[1]:
            d = np.abs(np.asarray(pg[1][k], np.float64) - np.asarray(pg[2][k], np.float64))
            assert np.all(d <= rel * scale), (name, k, pg[1][k], pg[2][k])


def test_get_set_num_threads(restore_threads):
    for t in (1, 2, 3, 1):
        nl.set_num_threads(t)
        assert nl.get_num_threads() == t
    assert isinstance(nl.get_num_threads(), int)


def _python(code, **env):
    e = dict(os.environ)
    e.pop("NONLIN_NUM_THREADS", None)
    e.pop("NONLIN_SIMD", None)
    e.update(env)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                       timeout=120)
    return r


@pytest.mark.parametrize("n", ["1", "2", "3"])
def test_env_num_threads(n):
    r = _python("import nonlin; print(nonlin.get_num_threads())", NONLIN_NUM_THREADS=n)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[-1] == n


def test_env_simd_levels():
    levels = nl.simd_levels()
    assert "baseline" in levels
    assert nl.simd_level() in levels
    # the default is the best supported level
    order = ["baseline", "avx2", "avx512"]
    if "NONLIN_SIMD" not in os.environ:
        assert nl.simd_level() == max((l for l in levels if l in order), key=order.index)
    for level in levels:
        r = _python("import nonlin; print(nonlin.simd_level())", NONLIN_SIMD=level)
        assert r.returncode == 0, r.stderr
        assert r.stdout.split()[-1] == level
    r = _python("import nonlin; print(nonlin.simd_level())", NONLIN_SIMD="baseline")
    assert r.stdout.split()[-1] == "baseline"


def test_env_simd_results_consistent(tmp_path):
    # the same computation under every forced level, in fresh processes, agrees within 4 ULP
    # (results go through a file: an editable install's rebuild may log to stdout)
    code = ("import numpy as np, nonlin as nl, sys\n"
            "x = np.linspace(-10, 10, 100003, dtype=np.float32)\n"
            "np.save(sys.argv[1], np.concatenate([nl.gelu(x), nl.silu.backward(x, x)]))\n")
    outs = {}
    for level in nl.simd_levels():
        e = dict(os.environ, NONLIN_SIMD=level)
        path = tmp_path / f"{level}.npy"
        r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, env=e,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        outs[level] = np.load(path)
        assert outs[level].dtype == np.float32
    x = np.linspace(-10, 10, 100003, dtype=np.float32).astype(np.float64)
    base = outs["baseline"].astype(np.float64)
    # gelu: ULPs of the result; silu backward (g = x): ULPs of |x|, its largest term
    scale = np.concatenate([np.abs(base[: x.size]), np.maximum(np.abs(base[x.size:]), np.abs(x))])
    ulp = np.spacing(scale.astype(np.float32)).astype(np.float64)
    for level, o in outs.items():
        err = np.abs(o.astype(np.float64) - base) / ulp
        assert err.max() <= 4, (level, float(err.max()), int(err.argmax()))


def test_env_bad_values_do_not_crash():
    for env in ({"NONLIN_SIMD": "bogus"}, {"NONLIN_NUM_THREADS": "0"},
                {"NONLIN_NUM_THREADS": "abc"}, {"NONLIN_NUM_THREADS": "-3"}):
        r = _python("import nonlin; print(nonlin.simd_level(), nonlin.get_num_threads())", **env)
        # either a clean Python error at import or a fallback with a warning; never a signal
        assert r.returncode in (0, 1), (env, r.returncode, r.stderr[-2000:])
        if r.returncode == 1:
            assert "Traceback" in r.stderr, env
        else:
            level, nthreads = r.stdout.split()[-2:]
            assert level in nl.simd_levels()
            assert int(nthreads) >= 1


def test_fork_after_pool_use(restore_threads):
    # a forked child (multiprocessing 'fork', dataloaders) must not deadlock on the pool
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    code = ("import os, numpy as np, nonlin as nl\n"
            "nl.set_num_threads(2)\n"
            "x = np.ones(3_000_000, np.float32)\n"
            "nl.gelu(x)\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    y = nl.gelu(x)\n"
            "    os._exit(0 if float(y[0]) > 0.8 else 3)\n"
            "_, st = os.waitpid(pid, 0)\n"
            "print(os.waitstatus_to_exitcode(st))\n")
    r = _python(code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[-1] == "0"
