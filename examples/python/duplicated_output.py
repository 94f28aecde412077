# Duplicated buffered output across fork: the parent's 'header' line is still in the file
# object's buffer when the child is forked. The child inherits the buffer, and its flush()
# writes the header a second time, so the log ends up with 'header' twice.
# expect: duplicated-output
from multiprocessing import Process


def child(log):
    log.write('child\n')
    log.flush()


if __name__ == '__main__':
    with open('run.log', 'w') as log:
        log.write('header\n')
        p = Process(target=child, args=(log,))
        p.start()
        p.join()
