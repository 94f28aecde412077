# A worker reports its result as a dict whose 'rows' field is large: pickled, the dict is about
# 120 KB, more than the pipe holds, so the worker cannot exit until the parent reads it, and
# joining the worker before reading its report hangs forever.   (fix: dict_report_fixed.py)
# expect: deadlock
from multiprocessing import Process, Queue


def worker(job, results):
    results.put({'job': job, 'status': 'done', 'rows': 'r' * 120000})


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(1, results))
    p.start()
    p.join()
    report = results.get()
    assert report['status'] == 'done'
