# task_done() called more often than items were got: the worker marks its one job done twice,
# and the second call raises ValueError ('task_done() called too many times').
# expect: api-misuse
from multiprocessing import JoinableQueue, Process


def worker(jobs):
    job = jobs.get()
    print('done', job)
    jobs.task_done()
    jobs.task_done()


if __name__ == '__main__':
    jobs = JoinableQueue()
    p = Process(target=worker, args=(jobs,))
    p.start()
    jobs.put('job')
    p.join()
