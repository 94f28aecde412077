# Workers collected with append(); the parent reads every result before it joins, so each
# child's feeder can flush its 100,000-character item and the children exit.
# expect: ok
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
    results = []
    for _ in range(N_WORKERS):
        results.append(q.get())
    for p in procs:
        p.join()
    print(len(results), 'results')
