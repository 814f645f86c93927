# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = Aller au contenu principal
language-menu = Langue

## Home page
index-title = Signaler des représailles en toute sécurité
index-intro = Ce service vous permet de signaler des menaces, des attaques ou d’autres représailles visant vous-même ou d’autres personnes en raison d’un travail en faveur des droits de l’homme, y compris pour avoir été en contact avec l’Organisation des Nations Unies.
index-encrypted = Ce que vous envoyez est chiffré immédiatement. Seule une petite équipe d’examinateurs de confiance peut le lire. Nous n’enregistrons ni votre adresse ni votre appareil.
index-safety-title = Votre sécurité
index-safety-tor = Utilisez Tor Browser et réglez son niveau de sécurité sur « Le plus sûr ». Ce site fonctionne entièrement sans JavaScript.
index-safety-device = Si quelqu’un risque de contrôler votre téléphone ou votre ordinateur, utilisez un appareil auquel cette personne n’a pas accès, et fermez le navigateur quand vous avez terminé.
index-safety-names = Donner votre nom n’est pas obligatoire. Vous choisirez à la page suivante.
index-start = Faire un signalement
index-followup = J’ai déjà envoyé un signalement

## Step 1: anonymity
report-title = Votre signalement
report-step1-intro = D’abord, choisissez comment nous traitons votre identité. Vous pouvez lire chaque choix lentement.
report-continue = Continuer
report-change-anonymity = Modifier ce choix
report-chosen-anonymity = Votre choix : { $choice }

## The form
report-intro = Les questions marquées « obligatoire » demandent une réponse. Tout le reste est facultatif.
report-required = obligatoire
report-section-report = Ce qui s’est passé
report-section-identity = À propos de vous
report-section-identity-help = Tout est facultatif. Seuls les examinateurs autorisés à voir les identités peuvent lire ces informations.
report-section-consent = Que pouvons-nous faire de votre signalement ?
report-section-consent-help = Chaque réponse est distincte. Si vous ne dites rien, la réponse est « non ». Vous pourrez changer d’avis plus tard.
report-select-placeholder = Choisissez une option
report-month-unknown = Mois inconnu
report-day-unknown = Jour inconnu
report-warning = Attention
report-submit = Envoyer le signalement en toute sécurité
report-submit-help = Votre signalement est chiffré avant d’être enregistré.
report-errors-title = { $count ->
    [one] Veuillez vérifier { $count } réponse
    [many] Veuillez vérifier { $count } de réponses
   *[other] Veuillez vérifier { $count } réponses
}
report-errors-intro = Rien n’a encore été envoyé. Vos réponses sont conservées ci-dessous.

## Field errors
error-required = Cette question demande une réponse.
error-invalid-choice = Veuillez choisir l’une des options proposées.
error-too-long = Cette réponse est trop longue : { $max } caractères au maximum.
error-invalid-year = Veuillez indiquer une année entre { $min } et { $max }.
error-invalid-date = Cette date n’existe pas. Veuillez vérifier le jour et le mois.
error-day-without-month = Veuillez indiquer le mois en plus du jour.
error-identity-anonymous = Vous avez choisi de rester anonyme : nous ne pouvons donc pas accepter de nom ni de coordonnées. Rien n’a été enregistré.
error-not-allowed = Cette réponse n’est possible qu’avec un autre choix concernant votre identité.
error-control-chars = Cette réponse contient des caractères qui ne peuvent pas être enregistrés. Veuillez les supprimer.

## Confirmation
confirm-title = Votre signalement a été reçu
confirm-body = Votre signalement est chiffré et enregistré. Un examinateur le lira.
confirm-next = Fermez cette fenêtre du navigateur quand vous avez terminé. Si quelqu’un risque de contrôler cet appareil, effacez l’historique de navigation.

## Error pages
error-title = Un problème est survenu
error-back = Revenir au début
error-bad-request = Le formulaire n’a pas pu être lu : { $detail }. Rien n’a été enregistré. Veuillez revenir en arrière et réessayer.
error-bad-request-detail-encoding = le texte n’était pas dans un format lisible
error-bad-request-detail-form = les données du formulaire étaient incomplètes ou mal formées
error-bad-request-detail-fields = le formulaire contenait des champs inattendus ou répétés
error-csrf = Ce formulaire a expiré ou n’a pas été envoyé depuis ce site. Rien n’a été enregistré. Veuillez rouvrir le formulaire. Vos réponses n’ont pas été conservées, nous en sommes désolés.
error-not-found = Cette page n’existe pas.
error-too-large = Ce que vous avez envoyé est trop volumineux (la limite est de { $limit }). Rien n’a été enregistré. Veuillez raccourcir votre texte et réessayer.
error-too-many = Trop de personnes utilisent ce service en ce moment. Rien n’a été enregistré. Veuillez réessayer dans une minute.
error-busy = Le serveur est occupé. Rien n’a été enregistré. Veuillez réessayer dans une minute.
error-stalled = Votre envoi s’est interrompu avant d’être complet. Rien n’a été enregistré. Veuillez vérifier votre connexion et réessayer.
error-no-reviewers = Ce service ne peut pas encore recevoir de signalements, car aucun examinateur n’a été désigné pour les lire. Rien n’a été enregistré. Veuillez réessayer plus tard.
error-internal = Le serveur a rencontré un problème et rien n’a été enregistré. Veuillez réessayer plus tard.
error-method = Cette adresse n’accepte pas ce type de requête.
error-identity-unavailable = Aucun examinateur ne peut encore lire les noms et les coordonnées : nous ne pouvons donc pas les accepter. Veuillez laisser ce champ vide. Rien n’a été enregistré.

## Codename (confirmation page)
codename-title = Votre nom de code
codename-intro = Ce nom de code est le seul moyen de revenir, de lire les réponses et d’ajouter des informations. Il n’est affiché qu’une seule fois.
codename-advice-write = Écrivez-le sur papier ou apprenez-le par cœur. Gardez-le hors de portée de toute personne qui pourrait vous fouiller.
codename-advice-device = Ne l’enregistrez pas sur un téléphone ou un ordinateur qui pourrait vous être pris.
codename-advice-lost = Personne ne peut le retrouver, pas même nous. Si vous le perdez, vous pouvez envoyer un nouveau signalement.
codename-followup = Pour revenir plus tard, choisissez « J’ai déjà envoyé un signalement » sur la première page.

## Follow-up
followup-title = Revenir à votre signalement
followup-intro = Saisissez votre nom de code pour lire les réponses et ajouter des informations.
followup-codename-label = Votre nom de code
followup-codename-help = Les mots que vous avez reçus, séparés par des espaces. Les majuscules n’ont pas d’importance.
followup-login = Ouvrir mon signalement
followup-check-words = Nous n’avons pas pu ouvrir de signalement avec ces mots. Veuillez vérifier les mots et leur ordre, puis réessayer.
followup-session-ended = Votre session a pris fin, pour votre sécurité. Veuillez saisir de nouveau votre nom de code.
followup-busy = Le serveur est occupé. Veuillez réessayer dans une minute.
followup-status-title = État
followup-status-received = Reçu. Un examinateur le lira.
followup-status-in_review = En cours d’examen.
followup-status-closed = Clos.
followup-replies-title = Réponses
followup-no-replies = Pas encore de réponse. Veuillez revenir plus tard.
followup-reply-from = Réponse reçue le { $day }
followup-delete-reply = Supprimer cette réponse
followup-deleted = La réponse a été supprimée.
followup-message-title = Ajouter des informations
followup-message-help = Votre message est chiffré et ajouté à votre signalement. Vous ne pourrez plus le relire ici.
followup-message-send = Envoyer en toute sécurité
followup-message-sent = Votre message a été reçu.
followup-message-empty = Veuillez d’abord écrire un message.
followup-message-too-long = Ce message est trop long : { $max } caractères au maximum.
followup-logout = Quitter mon signalement
followup-logged-out = Votre signalement n’est plus ouvert sur cet appareil. Fermez aussi la fenêtre du navigateur.

## Attachments
attachments-keep-label = Conserver les métadonnées d’origine. Cela peut aider à prouver qu’un fichier est authentique, mais cela peut aussi vous identifier.
attachments-limits = Jusqu’à { $count } fichiers, { $size } maximum chacun.
files-choose-again = Vos fichiers n’ont pas été conservés : veuillez les choisir à nouveau avant l’envoi.
confirm-files-title = Vos fichiers
file-result-cleaned = Éléments supprimés : { $removed }.
file-result-nothing-found = Aucun élément identifiant n’a été trouvé.
file-result-not-cleanable = Ce type de fichier ne peut pas être nettoyé ; il a été enregistré tel quel.
file-result-kept-original = Enregistré tel quel, comme vous l’avez demandé.
removed-location = lieu
removed-camera = appareil photo
removed-author = auteur
removed-software = logiciel
removed-dates = dates
removed-comments = commentaires
removed-thumbnail = image d’aperçu
removed-identifiers = identifiants du document
removed-other = autres détails
error-too-many-files = Trop de fichiers : vous pouvez en envoyer { $limit } au maximum. Rien n’a été enregistré.
error-file-too-large = Le fichier { $name } est trop volumineux (la limite est de { $limit }). Rien n’a été enregistré.
error-submission-too-large = L’ensemble des fichiers est trop volumineux (la limite est de { $limit }). Rien n’a été enregistré.
error-file-cannot-clean = Nous n’avons pas pu retirer les détails identifiants de { $name } : le fichier est peut-être endommagé. Rien n’a été enregistré. Vous pouvez le renvoyer en cochant « Conserver les métadonnées d’origine », ou ne pas l’inclure.
error-file-too-large-to-clean = Le fichier { $name } est trop volumineux pour être nettoyé (la limite pour ce type est de { $limit }). Rien n’a été enregistré. Vous pouvez le renvoyer en cochant « Conserver les métadonnées d’origine », ou ne pas l’inclure.
error-files-not-cleanable = Nous n’avons pas pu retirer les détails identifiants de : { $names }. Rien n’a été enregistré. Ci-dessous, choisissez pour chacun de ces fichiers de l’envoyer tel quel ou de ne pas l’inclure.
files-refused-title = Fichiers que nous n’avons pas pu nettoyer
file-refused-type = les détails identifiants (un auteur, un appareil ou un lieu, par exemple) ne peuvent pas être retirés de ce type de fichier.
file-refused-damaged = ce fichier semble endommagé : les détails identifiants n’ont pas pu en être retirés.
files-refused-choices = Pour envoyer un tel fichier tel quel, avec tout ce qu’il peut contenir sur vous, choisissez-le à nouveau dans le champ ci-dessous. Pour ne pas l’inclure, ne le choisissez pas à nouveau.
attachments-as-is-label = Envoyer tel quel (métadonnées d’origine conservées)
attachments-as-is-help = Les fichiers choisis ici sont enregistrés exactement tels quels, avec les noms, dates, appareils ou lieux qu’ils contiennent. Ne choisissez ici qu’un fichier nommé ci-dessus que vous voulez envoyer malgré tout.
files-leave-out-help = Ce bouton envoie tout le reste, sans les fichiers nommés ci-dessus.
files-leave-out = Ne pas l’inclure et envoyer
error-low-space = Le serveur manque d’espace disque : rien n’a été enregistré. Ce que vous avez écrit est toujours là : veuillez réessayer plus tard.
error-reviewers-changed = Les personnes qui lisent les signalements ont changé pendant l’envoi de vos fichiers : rien n’a été enregistré. Veuillez envoyer à nouveau.
followup-withdraw-title = Retirer votre consentement
followup-withdraw-help = Cochez ce que vous n’acceptez plus. Les examinateurs le respecteront désormais.
followup-withdraw-submit = Retirer mon consentement
followup-withdraw-done = Votre retrait a été enregistré.
followup-withdraw-none = Veuillez cocher au moins un élément à retirer.
