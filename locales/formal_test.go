package locales

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
)

// The product addresses contacts and staff formally: vous, Sie, usted, Lei.
// informalWords are the words that address the reader familiarly in each
// language, anywhere in a message: pronouns and possessives, the verb forms
// of "you have/can/must…", and (Italian) infinitives and imperatives
// carrying a familiar pronoun.
var informalWords = map[string][]string{
	"fr": {"tu", "toi", "ton", "ta", "tes", "te", "t’", "t'"},
	"de": {"du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "deines", "euch", "euer", "eure"},
	"es": {"tú", "tu", "tus", "te", "ti", "contigo", "tuyo", "tuya", "tuyos", "tuyas",
		"puedes", "tienes", "quieres", "debes", "eres", "estás", "has", "necesitas", "olvidaste"},
	"it": {"tu", "ti", "te", "tuo", "tua", "tuoi", "tue", "ciao",
		"hai", "puoi", "devi", "vuoi", "sai", "stai", "potrai", "verrai", "riceverai",
		"aiutarti", "tenerti", "invitarti", "inviarti", "avvisarti", "contattarti", "informarti", "indirizzarti",
		"accettala", "dicci", "ricaricalo", "lasciala", "seguine", "usane", "scegline"},
}

// informalInSentences are, in Italian, the familiar imperatives (and
// present) of -ere and -ire verbs, whose formal forms end in -a
// (inserisca, scelga…). A button may carry the command form ("Invia",
// "Esci", as Italian interfaces write them), so only messages that are
// sentences, ending with . : ? or !, are held to it. The familiar
// imperative of -are verbs is the third person too ("usa", "indica"):
// it is caught where it opens a sentence, for the verbs a hint rarely
// opens with in the third person ("Invia un nuovo link…" says what a
// button does).
var (
	informalInSentences = map[string][]string{
		"it": {"inserisci", "scegli", "aggiungi", "attendi", "accedi", "scrivi", "richiedi", "apri", "chiedi",
			"rispondi", "leggi", "segui", "ricevi", "correggi", "rimuovi", "riprendi", "metti", "vedi", "esci"},
	}
	informalOpeners = map[string][]string{
		"it": {"clicca", "usa", "indica", "verifica", "controlla", "copia", "contatta", "spunta", "allega", "carica",
			"digita", "prova", "cerca", "salva", "riprova", "ricarica", "lascia", "sposta", "conferma", "modifica",
			"torna", "vai", "seleziona", "azzera", "consulta", "cambia", "avvisa", "ignora", "accetta"},
	}
)

// wordsRE matches any of words as a whole word, case-insensitively, where
// a word is made of letters of any script (Go's \b knows only ASCII); an
// elided word (t’) runs into the next. With opener, only where a sentence
// starts.
func wordsRE(words []string, opener bool) *regexp.Regexp {
	var whole, elided []string
	for _, w := range words {
		if strings.HasSuffix(w, "’") || strings.HasSuffix(w, "'") {
			elided = append(elided, regexp.QuoteMeta(w))
		} else {
			whole = append(whole, regexp.QuoteMeta(w))
		}
	}
	before := `(?:^|[^\p{L}\p{N}_])`
	if opener {
		before = `(?:^|[.:;!?]\s+)`
	}
	alts := []string{`(?:` + strings.Join(whole, "|") + `)(?:$|[^\p{L}\p{N}_])`}
	if len(elided) > 0 {
		alts = append(alts, `(?:`+strings.Join(elided, "|")+`)`)
	}
	return regexp.MustCompile(`(?i)` + before + `(` + strings.Join(alts, "|") + `)`)
}

// quotedRE is a quotation: the name of a button or a page quoted in a
// sentence («Accedi con …») is a label, not the message speaking.
var quotedRE = regexp.MustCompile(`«[^»]*»|“[^”]*”|„[^“]*“|"[^"]*"`)

// familiarRE are, per language, the checks of familiar(): anywhere, in
// sentences, opening a sentence.
var familiarRE = func() map[string][3]*regexp.Regexp {
	out := map[string][3]*regexp.Regexp{}
	for lang, words := range informalWords {
		var res [3]*regexp.Regexp
		res[0] = wordsRE(words, false)
		if w := informalInSentences[lang]; len(w) > 0 {
			res[1] = wordsRE(w, false)
		}
		if w := informalOpeners[lang]; len(w) > 0 {
			res[2] = wordsRE(w, true)
		}
		out[lang] = res
	}
	return out
}()

// familiar returns the first word of text, a message in lang, that
// addresses the reader familiarly, or "".
func familiar(lang, text string) string {
	text = strings.TrimSpace(quotedRE.ReplaceAllString(placeholderRE.ReplaceAllString(text, "…"), "…"))
	sentence := text != "" && strings.ContainsRune(".:?!", rune(text[len(text)-1]))
	for i, re := range familiarRE[lang] {
		if re == nil || i > 0 && !sentence {
			continue
		}
		if m := re.FindStringSubmatch(text); m != nil {
			return strings.TrimRightFunc(m[1], func(r rune) bool { return !unicode.IsLetter(r) && r != '’' && r != '\'' })
		}
	}
	return ""
}

// catalogTexts is every text of a catalog file, plural forms included,
// keyed by id (a plural form as id#form).
func catalogTexts(t *testing.T, file string) map[string]string {
	t.Helper()
	var all map[string]any
	if _, err := toml.DecodeFile(file, &all); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]string{}
	for id, v := range all {
		switch v := v.(type) {
		case string:
			out[id] = v
		case map[string]any:
			for form, text := range v {
				if s, ok := text.(string); ok {
					out[id+"#"+form] = s
				}
			}
		}
	}
	return out
}

// TestCatalogs_FormalAddress fails on any message of the French, German,
// Spanish or Italian catalogs that addresses the reader familiarly (tu,
// du, tú, tu): the informal Italian emails ("Se non hai fatto tu questa
// richiesta…") must not come back.
func TestCatalogs_FormalAddress(t *testing.T) {
	for _, lang := range Tags[1:] {
		files, _ := filepath.Glob("*." + lang + ".toml")
		sort.Strings(files)
		for _, file := range files {
			texts := catalogTexts(t, file)
			ids := make([]string, 0, len(texts))
			for id := range texts {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				if w := familiar(lang, texts[id]); w != "" {
					t.Errorf("%s %s: familiar %q in %q", file, id, w, texts[id])
				}
			}
		}
	}
}

// TestFormalAddress_Catches: the check knows the familiar forms it is for,
// and leaves alone the words that merely contain them, buttons, and
// formal forms.
func TestFormalAddress_Catches(t *testing.T) {
	caught := map[string][]string{
		"it": {"Se non hai fatto tu questa richiesta, ignora questo messaggio.", "Il tuo ticket è stato ricevuto.",
			"Come possiamo aiutarti oggi?", "Ricaricalo e riprova.", "Inserisci un numero.", "Riprova tra poco.",
			"Ruolo sconosciuto: usa member.", "Ciao {{.Name}},"},
		"de": {"Hast du dein Passwort vergessen?", "Wir helfen dir gern."},
		"es": {"¿Has olvidado tu contraseña?", "Te enviaremos un código.", "Puedes cambiarlo."},
		"fr": {"As-tu oublié ton mot de passe ?", "Nous t’enverrons un code.", "Vérifie tes paramètres."},
	}
	kept := map[string][]string{
		"it": {"Tutto è stato salvato.", "Gli articoli sono aperti.", "Se un account usa questo indirizzo, gli abbiamo inviato un codice.",
			"Le Sue impostazioni.", "Invia", "Esci", "Vedi tutti", "Inserisca un numero.", "Riprovi tra poco.", "Martedì, tuttavia."},
		"de": {"Produkt", "Dieses Feld ist erforderlich.", "Direkt dort.", "Duplikat"},
		"es": {"Tuberías", "Estadística", "Un tema útil.", "Tiempo restante.", "Introduzca su contraseña."},
		"fr": {"Tableau des tâches.", "Notes et tests.", "Le tonneau.", "Attention : état.", "Saisissez votre code."},
	}
	for lang, texts := range caught {
		for _, text := range texts {
			if familiar(lang, text) == "" {
				t.Errorf("%s: %q is not caught", lang, text)
			}
		}
		for _, text := range kept[lang] {
			if w := familiar(lang, text); w != "" {
				t.Errorf("%s: %q is caught for %q", lang, text, w)
			}
		}
	}
}
