# The fix for dict_report.py: read the report first, then join the worker.
# expect: ok
from multiprocessing import Process, Queue


def worker(job, results):
    results.put({'job': job, 'status': 'done', 'rows': 'r' * 120000})


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(1, results))
    p.start()
    report = results.get()
    p.join()
    assert report['status'] == 'done' and report.get('error') is None
    for key, value in report.items():
        assert key in ('job', 'status', 'rows')
