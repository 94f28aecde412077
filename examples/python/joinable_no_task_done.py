# JoinableQueue.join() without task_done(): join() returns only when every item put has been
# marked done. The worker gets the items but never calls task_done(), so join() waits forever.
# expect: deadlock
from multiprocessing import JoinableQueue, Process


def worker(jobs):
    while True:
        job = jobs.get()
        if job is None:
            break
        print('done', job)


if __name__ == '__main__':
    jobs = JoinableQueue()
    p = Process(target=worker, args=(jobs,))
    p.start()
    for i in range(3):
        jobs.put(i)
    jobs.join()
    jobs.put(None)
    p.join()
