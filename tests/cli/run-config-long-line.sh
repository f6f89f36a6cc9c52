# hotreload.conf lines longer than 4095 characters are refused with the
# line's number, not read as two lines (the tail once passed as a comment,
# or gave an error with the wrong line number). A line of exactly 4095
# characters is one line: the error after it is on line 3.
mkdir p
long=$(printf '%4100s' '')
printf 'host = ./x\nbuild = true%s# tail\n' "$long" >p/hotreload.conf
timeout 20 $HOTRELOAD run -C p
echo "(exit $?)"
exact=$(printf '#%4094s' '')
printf 'host = ./x\n%s\nbogus = 1\n' "$exact" >p/hotreload.conf
timeout 20 $HOTRELOAD run -C p
echo "(exit $?)"
