/* Writes a plugin's LV2 bundle description (manifest.ttl, <id>.ttl) from
 * its description header, so ports and parameters are declared once.
 *   lv2-ttlgen BUNDLE_DIR SHELL_BINARY_FILE_NAME */
#include <stdio.h>

#include "lv2-layout.h"

static const char *prefixes =
    "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n"
    "@prefix bufsz: <http://lv2plug.in/ns/ext/buf-size#> .\n"
    "@prefix doap: <http://usefulinc.com/ns/doap#> .\n"
    "@prefix log: <http://lv2plug.in/ns/ext/log#> .\n"
    "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
    "@prefix midi: <http://lv2plug.in/ns/ext/midi#> .\n"
    "@prefix opts: <http://lv2plug.in/ns/ext/options#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
    "@prefix urid: <http://lv2plug.in/ns/ext/urid#> .\n"
    "@prefix work: <http://lv2plug.in/ns/ext/worker#> .\n\n";

static void write_port(FILE *f, const hot_plugin_port *p, unsigned index)
{
    if (p->kind == HOT_PORT_MIDI_IN)
        fprintf(f, "    a lv2:InputPort, atom:AtomPort ;\n    atom:bufferType atom:Sequence ;\n"
                   "    atom:supports midi:MidiEvent ;\n    lv2:designation lv2:control ;\n"
                   "    lv2:portProperty lv2:connectionOptional ;\n");
    else
        fprintf(f, "    a lv2:%s, lv2:AudioPort ;\n", p->kind == HOT_PORT_AUDIO_IN ? "InputPort" : "OutputPort");
    fprintf(f, "    lv2:index %u ;\n    lv2:symbol \"%s\" ;\n    lv2:name \"%s\"\n", index, p->symbol, p->name);
}

static void write_param(FILE *f, const hot_plugin_param *p, unsigned index)
{
    fprintf(f, "    a lv2:InputPort, lv2:ControlPort ;\n    lv2:index %u ;\n    lv2:symbol \"%s\" ;\n"
               "    lv2:name \"%s\" ;\n    lv2:default %g ;\n    lv2:minimum %g ;\n    lv2:maximum %g\n",
            index, p->symbol, p->name, p->def, p->minimum, p->maximum);
}

static void write_plugin(FILE *f, const hot_plugin_desc *d, const char *binary)
{
    unsigned i;

    fputs(prefixes, f);
    fprintf(f, "<%s>\n    a lv2:Plugin ;\n    doap:name \"%s\" ;\n    lv2:binary <%s> ;\n", d->uri, d->name, binary);
    fprintf(f, "    lv2:optionalFeature lv2:hardRTCapable, urid:map, log:log, work:schedule, opts:options,\n"
               "        bufsz:boundedBlockLength, state:threadSafeRestore ;\n"
               "    opts:supportedOption bufsz:maxBlockLength ;\n"
               "    lv2:extensionData work:interface, state:interface ;\n    lv2:port [\n");
    for (i = 0; i < d->n_ports; i++) {
        write_port(f, &d->ports[i], i);
        fputs("    ] , [\n", f);
    }
    for (i = 0; i < d->n_params; i++) {
        write_param(f, &d->params[i], hot_lv2_param_port(d, i));
        fputs("    ] , [\n", f);
    }
    fprintf(f, "    a lv2:OutputPort, lv2:ControlPort ;\n    lv2:index %u ;\n    lv2:symbol \"latency\" ;\n"
               "    lv2:name \"Latency\" ;\n    lv2:designation lv2:latency ;\n"
               "    lv2:portProperty lv2:reportsLatency, lv2:integer ;\n"
               "    lv2:minimum 0 ;\n    lv2:maximum 192000 ;\n    lv2:default 0\n    ] .\n",
            hot_lv2_latency_port(d));
}

static int write_file(const char *dir, const char *name, const hot_plugin_desc *d, const char *binary, int manifest)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    if (manifest)
        fprintf(f, "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
                   "<%s>\n    a lv2:Plugin ;\n    lv2:binary <%s> ;\n    rdfs:seeAlso <%s.ttl> .\n",
                d->uri, binary, d->id);
    else
        write_plugin(f, d, binary);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    const hot_plugin_desc *d = HOT_LV2_DESC;
    char name[512];

    if (argc != 3) {
        fprintf(stderr, "usage: %s BUNDLE_DIR SHELL_BINARY\n", argv[0]);
        return 2;
    }
    snprintf(name, sizeof name, "%s.ttl", d->id);
    return write_file(argv[1], "manifest.ttl", d, argv[2], 1) || write_file(argv[1], name, d, argv[2], 0);
}
