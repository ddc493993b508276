package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/svcportal/svcportal"
)

// demoArticle is a knowledge-base article of the demo in every language,
// keywords included; site, when set, is the only site it is enabled for.
type demoArticle struct {
	titles, bodies map[string]string
	keywords       map[string][]string
	site           string
}

// keywordsIn lists an article's keywords per language, in the order of
// labels.
func keywordsIn(en, fr, de, es, it []string) map[string][]string {
	return map[string][]string{"en": en, "fr": fr, "de": de, "es": es, "it": it}
}

// demoKBSection is a category with one section and its articles.
type demoKBSection struct {
	category, section map[string]string
	articles          []demoArticle
	acmeOnly          bool // articles for acme's sites only
}

var demoKB = []demoKBSection{
	{
		category: labels("Accounts and access", "Comptes et accès", "Konten und Zugang", "Cuentas y acceso", "Account e accesso"),
		section:  labels("Passwords", "Mots de passe", "Passwörter", "Contraseñas", "Password"),
		articles: []demoArticle{{
			titles: labels("Reset your password", "Réinitialiser votre mot de passe", "Passwort zurücksetzen",
				"Restablecer la contraseña", "Reimpostare la password"),
			bodies: labels(
				"1. Open the sign-in page and choose **Forgot password**.\n2. Enter your email: you receive an 8-digit code, valid 15 minutes.\n3. Enter the code and choose a new password of at least 10 characters.\n\nEvery other session is then signed out.",
				"1. Ouvrez la page de connexion et choisissez **Mot de passe oublié**.\n2. Saisissez votre adresse : vous recevez un code à 8 chiffres, valable 15 minutes.\n3. Saisissez le code et choisissez un nouveau mot de passe d’au moins 10 caractères.\n\nToutes vos autres sessions sont alors fermées.",
				"1. Öffnen Sie die Anmeldeseite und wählen Sie **Passwort vergessen**.\n2. Geben Sie Ihre E-Mail-Adresse ein: Sie erhalten einen 8-stelligen Code, 15 Minuten gültig.\n3. Geben Sie den Code ein und wählen Sie ein neues Passwort mit mindestens 10 Zeichen.\n\nAlle anderen Sitzungen werden dann abgemeldet.",
				"1. Abra la página de inicio de sesión y elija **¿Olvidó su contraseña?**.\n2. Introduzca su correo: recibirá un código de 8 cifras, válido 15 minutos.\n3. Introduzca el código y elija una contraseña nueva de al menos 10 caracteres.\n\nSe cerrarán todas sus demás sesiones.",
				"1. Apra la pagina di accesso e scelga **Password dimenticata**.\n2. Inserisca la sua email: riceverà un codice di 8 cifre, valido 15 minuti.\n3. Inserisca il codice e scelga una nuova password di almeno 10 caratteri.\n\nTutte le altre sessioni verranno chiuse."),
			keywords: keywordsIn([]string{"password", "login", "reset"}, []string{"mot de passe", "connexion", "réinitialiser"},
				[]string{"Passwort", "Anmeldung", "zurücksetzen"}, []string{"contraseña", "inicio de sesión", "restablecer"},
				[]string{"password", "accesso", "reimpostare"}),
		}},
	},
	{
		category: labels("Devices", "Appareils", "Geräte", "Dispositivos", "Dispositivi"),
		section:  labels("Printers", "Imprimantes", "Drucker", "Impresoras", "Stampanti"),
		articles: []demoArticle{{
			titles: labels("Add a network printer", "Ajouter une imprimante réseau", "Netzwerkdrucker hinzufügen",
				"Añadir una impresora de red", "Aggiungere una stampante di rete"),
			bodies: labels(
				"Open **Settings › Printers**, choose *Add printer* and pick the printer named after your floor. If it is missing, open a ticket with its asset tag.",
				"Ouvrez **Paramètres › Imprimantes**, choisissez *Ajouter une imprimante* et sélectionnez l’imprimante qui porte le nom de votre étage. Si elle n’apparaît pas, ouvrez un ticket avec son numéro d’inventaire.",
				"Öffnen Sie **Einstellungen › Drucker**, wählen Sie *Drucker hinzufügen* und dann den Drucker Ihres Stockwerks. Fehlt er, eröffnen Sie ein Ticket mit seiner Inventarnummer.",
				"Abra **Configuración › Impresoras**, elija *Añadir impresora* y seleccione la impresora con el nombre de su planta. Si no aparece, abra un ticket con su etiqueta de activo.",
				"Apra **Impostazioni › Stampanti**, scelga *Aggiungi stampante* e selezioni la stampante che porta il nome del suo piano. Se non compare, apra un ticket con l’etichetta cespite."),
			keywords: keywordsIn([]string{"printer", "network"}, []string{"imprimante", "réseau"}, []string{"Drucker", "Netzwerk"},
				[]string{"impresora", "red"}, []string{"stampante", "rete"}),
		}},
	},
	{
		category: labels("Security", "Sécurité", "Sicherheit", "Seguridad", "Sicurezza"),
		section:  labels("Remote access", "Accès à distance", "Fernzugriff", "Acceso remoto", "Accesso remoto"),
		acmeOnly: true,
		articles: []demoArticle{{
			site: "Umbrella",
			titles: labels("Connect to the Umbrella lab VPN", "Se connecter au VPN du laboratoire Umbrella", "Mit dem VPN des Umbrella-Labors verbinden",
				"Conectarse a la VPN del laboratorio Umbrella", "Collegarsi alla VPN del laboratorio Umbrella"),
			bodies: labels(
				"Install the VPN client from the lab portal, sign in with your badge number and approve the prompt on your phone.",
				"Installez le client VPN depuis le portail du laboratoire, connectez-vous avec votre numéro de badge et validez la demande sur votre téléphone.",
				"Installieren Sie den VPN-Client aus dem Laborportal, melden Sie sich mit Ihrer Ausweisnummer an und bestätigen Sie die Anfrage auf Ihrem Telefon.",
				"Instale el cliente VPN desde el portal del laboratorio, inicie sesión con su número de tarjeta y apruebe la solicitud en su teléfono.",
				"Installi il client VPN dal portale del laboratorio, acceda con il numero del badge e approvi la richiesta sul telefono."),
			keywords: keywordsIn([]string{"vpn", "remote"}, []string{"vpn", "accès à distance"}, []string{"VPN", "Fernzugriff"},
				[]string{"vpn", "acceso remoto"}, []string{"vpn", "accesso remoto"}),
		}},
	},
}

// kbDemoStore is what loading the demo knowledge base reads.
type kbDemoStore interface {
	SiteByName(ctx context.Context, name string) (*svcportal.Site, error)
}

// ensureDemoKB adds whatever part of the demo knowledge base the context
// tenant lacks, matching categories, sections and articles by their name
// or title in the tenant's default language.
func ensureDemoKB(ctx context.Context, st kbDemoStore, kbs svcportal.KBAdmin, slug string, progress func(string)) error {
	def := svcportal.TenantFrom(ctx).DefaultLocale
	cats, err := kbs.KBCategories(ctx)
	if err != nil {
		return err
	}
	for _, d := range demoKB {
		if d.acmeOnly && slug != "acme" {
			continue
		}
		var cat *svcportal.KBCategory
		for i := range cats {
			if cats[i].Names[def] == d.category[def] {
				cat = &cats[i]
			}
		}
		if cat == nil {
			progress("kb category " + d.category[def])
			cat = &svcportal.KBCategory{Names: d.category, AllSites: true, Position: len(cats)}
			if err := kbs.CreateCategory(ctx, cat); err != nil {
				return fmt.Errorf("demo kb category: %w", err)
			}
			cats = append(cats, *cat)
		}
		secs, err := kbs.KBSections(ctx, cat.ID)
		if err != nil {
			return err
		}
		var sec *svcportal.KBSection
		for i := range secs {
			if secs[i].Names[def] == d.section[def] {
				sec = &secs[i]
			}
		}
		if sec == nil {
			progress("kb section " + d.section[def])
			sec = &svcportal.KBSection{CategoryID: cat.ID, Names: d.section, AllSites: true}
			if err := kbs.CreateSection(ctx, sec); err != nil {
				return fmt.Errorf("demo kb section: %w", err)
			}
		}
		arts, err := kbs.KBArticles(ctx, svcportal.KBArticleFilter{SectionID: sec.ID})
		if err != nil {
			return err
		}
		for _, da := range d.articles {
			if err := ensureDemoArticle(ctx, st, kbs, sec, arts, da, def, progress); err != nil {
				return err
			}
		}
	}
	return nil
}

func ensureDemoArticle(ctx context.Context, st kbDemoStore, kbs svcportal.KBAdmin, sec *svcportal.KBSection, have []svcportal.KBArticle,
	da demoArticle, def string, progress func(string)) error {
	for _, a := range have {
		if a.Translations[def].Title == da.titles[def] {
			return fixDemoKeywords(ctx, kbs, &a, da, progress)
		}
	}
	progress("kb article " + da.titles[def])
	a := &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished, AllSites: da.site == "",
		Translations: map[string]svcportal.KBTranslation{}}
	for _, l := range svcportal.Locales {
		a.Translations[l] = svcportal.KBTranslation{Title: da.titles[l], Body: da.bodies[l], Keywords: da.keywords[l]}
	}
	if da.site != "" {
		site, err := st.SiteByName(ctx, da.site)
		if err != nil {
			return fmt.Errorf("demo kb article for %s: %w", da.site, err)
		}
		a.SiteIDs = []int64{site.ID}
	}
	if err := kbs.CreateArticle(ctx, a); err != nil {
		return fmt.Errorf("demo kb article: %w", err)
	}
	return nil
}

// fixDemoKeywords mends a demo article loaded by an earlier version, which
// gave every language the English keywords: a translation whose keywords
// are still exactly the English ones gets those of its own language.
func fixDemoKeywords(ctx context.Context, kbs svcportal.KBAdmin, a *svcportal.KBArticle, da demoArticle, progress func(string)) error {
	changed := false
	for l, tr := range a.Translations {
		if l == "en" || !slices.Equal(tr.Keywords, da.keywords["en"]) || slices.Equal(tr.Keywords, da.keywords[l]) || da.keywords[l] == nil {
			continue
		}
		tr.Keywords = da.keywords[l]
		a.Translations[l] = tr
		changed = true
	}
	if !changed {
		return nil
	}
	progress("kb article keywords " + da.titles["en"])
	if err := kbs.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("demo kb article keywords: %w", err)
	}
	return nil
}
