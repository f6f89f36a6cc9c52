# Fields left out of a listed type where the layout alone cannot see them
# (cli-fixture-fields.h): with debug info, check names each one, from gcc
# and clang, DWARF 4 and 5, C++ from g++ and clang++; split, compressed or stripped debug info falls
# back to the layout check and says so. Built here, as a user would.
for cc in gcc clang g++ clang++; do
    command -v $cc >/dev/null || { echo "$cc is not installed"; exit 77; }
done
build() { # CC FLAGS... (a C++ compiler builds the .cpp)
    cc=$1
    source=$CASE_DIR/fixtures/cli-fixture-fields.c
    case $cc in *++) source=${source}pp ;; esac
    shift
    $cc -shared -fPIC -DHOT_LIBRARY -I"$HOTRELOAD_SOURCE_DIR/include" -I"$CASE_DIR/fixtures" \
        "$@" -o libfields.so "$source" || exit 1
}
show() { # what check says about the fields
    $HOTRELOAD check ./libfields.so >out.txt
    echo "(exit $?)"
    sed -n '/^fields:/,$p' out.txt
}
for cc in gcc clang; do
    for flags in "-g" "-gdwarf-4" "-gdwarf-5" "-g -gsplit-dwarf" "-g -gz"; do
        echo "== $cc $flags"
        build $cc $flags
        show
        case $flags in -gdwarf-*) grep -o 'DWARF [0-9]' out.txt | sed 's/ /-/' ;; esac
    done
    echo "== $cc -g, stripped of it"
    build $cc -g
    strip --strip-debug libfields.so
    show
done
for cc in g++ clang++; do
    echo "== $cc -g"
    build $cc -g
    show
done
