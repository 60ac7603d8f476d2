# Appends one message (stdin, LF line ends) to the mbox file named by -v out=FILE in mboxrd form:
# a "From " separator line (fixed date; the benchmark does not read it), ">" before every line that
# matches ^>*From , and a blank line after the message. Used as fetchmail's MDA by bench/bench.py.
NR == 1 { print "From MAILER-DAEMON Thu Jan  1 00:00:00 1970" >> out }
/^>*From / { printf ">" >> out }
{ print >> out }
END { print "" >> out }
