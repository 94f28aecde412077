# The fix for task_done_too_often.py: exactly one task_done() per item got.
# expect: ok
from multiprocessing import JoinableQueue, Process


def worker(jobs):
    job = jobs.get()
    print('done', job)
    jobs.task_done()


if __name__ == '__main__':
    jobs = JoinableQueue()
    p = Process(target=worker, args=(jobs,))
    p.start()
    jobs.put('job')
    p.join()
