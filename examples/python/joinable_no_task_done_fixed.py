# The fix for joinable_no_task_done.py: the worker calls task_done() for every item it got.
# expect: ok
from multiprocessing import JoinableQueue, Process


def worker(jobs):
    while True:
        job = jobs.get()
        if job is None:
            jobs.task_done()
            break
        print('done', job)
        jobs.task_done()


if __name__ == '__main__':
    jobs = JoinableQueue()
    p = Process(target=worker, args=(jobs,))
    p.start()
    for i in range(3):
        jobs.put(i)
    jobs.join()
    jobs.put(None)
    p.join()
