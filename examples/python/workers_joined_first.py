# Workers collected with append() and joined before their results are read: each child's
# 100,000-character result cannot leave its queue feeder thread until the parent reads it, so
# the first join hangs forever.   (fix: workers_joined_first_fixed.py)
# expect: deadlock
from multiprocessing import Process, Queue

N_WORKERS = 3


def work(q, i):
    q.put(str(i) * 100000)


if __name__ == '__main__':
    q = Queue()
    procs = []
    for i in range(N_WORKERS):
        p = Process(target=work, args=(q, i))
        p.start()
        procs.append(p)
    for p in procs:
        p.join()
    results = []
    for _ in range(N_WORKERS):
        results.append(q.get())
    print(len(results), 'results')
