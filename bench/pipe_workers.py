# Benchmark program (see bench/README.md): three workers each send 16 ints on a pipe of their
# own and close it; the parent reads every pipe to EOF, then joins. Every Connection end the
# parent made is watched (a child holds the other end), which is what makes pipe programs
# costlier per state than the queue family of workers_bench.
#   build/cli/mpcheck check bench/pipe_workers.py
import multiprocessing as mp


def worker(w, n):
    for i in range(n):
        w.send(i)
    w.close()


if __name__ == '__main__':
    r0, w0 = mp.Pipe(duplex=False)
    r1, w1 = mp.Pipe(duplex=False)
    r2, w2 = mp.Pipe(duplex=False)
    p0 = mp.Process(target=worker, args=(w0, 16))
    p1 = mp.Process(target=worker, args=(w1, 16))
    p2 = mp.Process(target=worker, args=(w2, 16))
    p0.start()
    p1.start()
    p2.start()
    w0.close()
    w1.close()
    w2.close()
    total = 0
    for r in (r0, r1, r2):
        try:
            while True:
                total += r.recv()
        except EOFError:
            pass
    p0.join()
    p1.join()
    p2.join()
    assert total == 360
